#include "pki/fingerprint.h"

#include <openssl/evp.h>

namespace rcc::pki {
namespace {

std::string digest_hex(const EVP_MD* md, std::string_view bytes) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), out, &n, md, nullptr) != 1) return {};
  return colon_hex(std::string_view(reinterpret_cast<const char*>(out), n));
}

}  // namespace

std::string colon_hex(std::string_view bytes) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(bytes.size() * 3);
  for (const char c : bytes) {
    const auto b = static_cast<unsigned char>(c);
    if (!out.empty()) out += ':';
    out += kHex[b >> 4];
    out += kHex[b & 15];
  }
  return out;
}

std::string sha1_hex(std::string_view bytes) {
  return digest_hex(EVP_sha1(), bytes);
}

std::string sha256_hex(std::string_view bytes) {
  return digest_hex(EVP_sha256(), bytes);
}

}  // namespace rcc::pki
