#include "rules/range.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>

namespace rcc::rules {
namespace {

bool parse_number(std::string_view s, double& out) {
  if (s.empty()) return false;
  const std::string copy(s);
  char* end = nullptr;
  errno = 0;
  out = std::strtod(copy.c_str(), &end);
  return errno == 0 && end == copy.c_str() + copy.size() && std::isfinite(out);
}

}  // namespace

Result<Range> Range::parse(std::string_view text) {
  Range r;
  r.text_ = std::string(text);
  auto bad = [&](const std::string& why) {
    return Error(Errc::invalid_argument, "range '" + std::string(text) + "': " + why);
  };
  std::string_view s = text;
  if (!s.empty() && s[0] == '@') {
    r.inside_ = true;
    s.remove_prefix(1);
  }
  if (s.empty()) return bad("empty");
  const auto colon = s.find(':');
  if (colon == std::string_view::npos) {
    if (!parse_number(s, r.end_)) return bad("not a number");
    r.start_ = 0;
  } else {
    const std::string_view lo = s.substr(0, colon), hi = s.substr(colon + 1);
    if (lo == "~") {
      r.start_infinite_ = true;
    } else if (!parse_number(lo.empty() ? "0" : lo, r.start_)) {
      return bad("start is not a number or ~");
    }
    if (hi.empty()) {
      r.end_infinite_ = true;
    } else if (!parse_number(hi, r.end_)) {
      return bad("end is not a number");
    }
  }
  if (!r.start_infinite_ && !r.end_infinite_ && r.start_ > r.end_)
    return bad("start is greater than end");
  return r;
}

bool Range::alerts(double value) const {
  const bool inside = (start_infinite_ || value >= start_) && (end_infinite_ || value <= end_);
  return inside_ ? inside : !inside;
}

}  // namespace rcc::rules
