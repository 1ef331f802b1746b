// Fuzzes the CSTA decoder (libxml2 reader, limits, typed decode) and checks the codec's promise:
// whatever decodes, our encoding of it decodes again to the same message (same bytes once more).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "csta/codec.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rcc::csta;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto m = decode(text);
  if (!m) {
    (void)m.error().message();
    return 0;
  }
  const EncodeOptions options{size % 2 == 0};
  const std::string out = encode(*m, options);
  // Our output may be larger (escapes, the deviceIdentifier wrapper) and one level deeper.
  Limits roomy;
  roomy.max_document_bytes = 4 * out.size() + 1024;
  roomy.max_depth = 64;
  const auto again = decode(out, roomy);
  if (!again) std::abort();
  if (again->body.index() != m->body.index() || again->ns != m->ns) std::abort();
  if (encode(*again, options) != out) std::abort();
  // Answering in another edition must work too.
  (void)encode(*m, Namespace::ed5, options);
  return 0;
}
