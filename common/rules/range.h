#pragma once
// Monitoring-plugins threshold ranges (the plugin development guidelines, "Threshold and ranges"):
//
//   10      alert outside 0..10        10:     alert below 10
//   ~:10    alert above 10             10:20   alert outside 10..20
//   @10:20  alert inside 10..20 (inclusive)
//
// Used by rcc-ctiprobe's -w/-c and by the simulator's scripted delays.

#include <string>
#include <string_view>

#include "diag/error.h"

namespace rcc::rules {

class Range {
 public:
  /// Parses `text`; Errc::invalid_argument with the reason when it is not a range.
  static Result<Range> parse(std::string_view text);

  /// True when `value` should raise the alert this range stands for.
  bool alerts(double value) const;

  /// The range as it was written (perfdata repeats it).
  const std::string& text() const { return text_; }

 private:
  std::string text_;
  double start_ = 0, end_ = 0;
  bool start_infinite_ = false, end_infinite_ = false;
  bool inside_ = false;  ///< '@': alert when inside rather than outside
};

}  // namespace rcc::rules
