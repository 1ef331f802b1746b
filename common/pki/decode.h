#pragma once
// Decoding "whatever the administrator has": a certificate, a certificate request, a PKCS#7
// (.p7b) chain, a private or public key, as PEM (one block or a bundle of many, text around the
// blocks ignored, as `openssl x509 -text` and PKCS#12 exports leave it), as DER (one object or
// several back to back), or as base64 without the PEM armour (what a Windows CA's web page and
// certutil give). Bounded by Limits before anything is allocated; never throws.
//
// Whole-buffer rather than incremental (no feed()): its inputs are files of a few KB, read whole
// under Limits::max_bytes, never a stream off the network. (A TLS peer's chain arrives already
// decoded by OpenSSL's handshake.)

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "diag/error.h"
#include "pki/error.h"
#include "util/openssl.h"

namespace rcc::pki {

struct Limits {
  /// A certificate is 1-2 KB and a long chain well under 64 KB; anything bigger is the wrong file.
  std::size_t max_bytes = 256u << 10;
  /// PEM blocks, DER objects, or certificates in one PKCS#7.
  std::size_t max_objects = 32;
};

enum class Encoding { pem, der, base64 };
const char* encoding_name(Encoding e);  ///< "PEM", "DER", "base64"

enum class Kind { certificate, request, private_key, public_key };
const char* kind_name(Kind k);  ///< "certificate", "certificate request", ...

/// One decoded object. Exactly the member matching `kind` is set.
struct Object {
  Kind kind = Kind::certificate;
  bool from_pkcs7 = false;  ///< a certificate taken out of a PKCS#7 (.p7b) structure
  int line = 0;             ///< PEM: 1-based line of its BEGIN line; 0 otherwise
  util::X509Ptr certificate;
  util::X509ReqPtr request;
  util::EvpPkeyPtr key;
};

struct Decoded {
  Encoding encoding = Encoding::pem;
  bool pkcs7 = false;  ///< at least one PKCS#7 structure was unpacked
  std::vector<Object> objects;

  /// The certificates, in file order (borrowed pointers).
  std::vector<X509*> certificates() const;
};

/// Decodes `data`. `name` is used in error locations only (a file name, or empty).
/// Errors: too_large, not_recognized, truncated, bad_base64, too_many_objects, encrypted_key.
/// Never returns an empty Decoded: finding nothing is not_recognized.
Result<Decoded> decode(std::string_view data, const std::string& name = {},
                       const Limits& limits = {});

/// Reads `path` (no more than limits.max_bytes) and decodes it; error details start with the path.
Result<Decoded> load(const std::string& path, const Limits& limits = {});

/// Strict base64 (RFC 4648 §4) that skips whitespace; missing final padding is accepted.
/// Returns false on any other character or a bad length.
bool base64_decode(std::string_view text, std::string& out);

}  // namespace rcc::pki
