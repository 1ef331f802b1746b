#pragma once
// Ratios between benchmarks of one codec_bench run, printed by main.cc after the table:
// each codec's figure beside the baseline or peer measured in the same run.

#include <string>
#include <vector>

namespace rcc::bench {

struct Ratio {
  std::string label;      ///< what is compared, e.g. "CSTA typed decode / bare libxml2 (MakeCall)"
  std::string numerator;  ///< full benchmark name whose time per message is divided ...
  std::string denominator;  ///< ... by this one's
  double goal = 0;          ///< printed as "goal <= x" when > 0
};

inline std::vector<Ratio>& ratios() {
  static std::vector<Ratio> list;
  return list;
}

/// For static registration: `static const bool r = add_ratio({...});`
inline bool add_ratio(Ratio r) {
  ratios().push_back(std::move(r));
  return true;
}

}  // namespace rcc::bench
