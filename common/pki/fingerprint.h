#pragma once
// Digests shown to people: colon-separated upper-case hex, as Windows and `openssl x509
// -fingerprint` print them, so that the two can be compared by eye.

#include <string>
#include <string_view>

namespace rcc::pki {

std::string sha1_hex(std::string_view bytes);
std::string sha256_hex(std::string_view bytes);
/// "AB:CD:..." for any bytes.
std::string colon_hex(std::string_view bytes);

}  // namespace rcc::pki
