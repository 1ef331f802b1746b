// Fuzzes the line URI parser and checks that to_string() gives a URI that parses back to the
// same text and names the same line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "csta/line_uri.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rcc::csta;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto u = parse_line_uri(text);
  if (!u) {
    (void)u.error().message();
    return 0;
  }
  const std::string s = to_string(*u);
  const auto again = parse_line_uri(s);
  if (!again) std::abort();
  if (to_string(*again) != s) std::abort();
  if (!same_line(*u, *again)) std::abort();
  (void)u->digits();
  return 0;
}
