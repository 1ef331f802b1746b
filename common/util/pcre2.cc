#include "util/pcre2.h"

namespace rcc::util {

std::string pcre2_error_message(int code) {
  PCRE2_UCHAR buf[256];
  const int n = pcre2_get_error_message(code, buf, sizeof buf);
  if (n < 0) return "PCRE2 error " + std::to_string(code);
  return std::string(reinterpret_cast<const char*>(buf), std::size_t(n));
}

}  // namespace rcc::util
