#include "pki/error.h"

#include <string>

namespace rcc::pki {
namespace {

class PkiCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "pki"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::too_large:
        return "input too large";
      case Errc::not_recognized:
        return "not a certificate, request, PKCS#7 chain or key";
      case Errc::truncated:
        return "truncated DER";
      case Errc::bad_base64:
        return "invalid base64";
      case Errc::too_many_objects:
        return "too many objects";
      case Errc::encrypted_key:
        return "encrypted private key";
      case Errc::unsupported_key:
        return "unsupported key";
      case Errc::bad_key_spec:
        return "invalid key type";
      case Errc::key_generation:
        return "key generation failed";
      case Errc::insecure_permissions:
        return "private key file has insecure permissions";
      case Errc::file_exists:
        return "file exists";
      case Errc::write_failed:
        return "cannot write file";
      case Errc::bad_name:
        return "invalid subject name";
      case Errc::bad_san:
        return "invalid subjectAltName";
      case Errc::signing_failed:
        return "signing failed";
      case Errc::bad_signature:
        return "signature does not verify";
      case Errc::wrong_kind:
        return "wrong kind of object";
      case Errc::ca_files:
        return "lab CA files missing or broken";
      case Errc::connect_failed:
        return "connection failed";
      case Errc::handshake_failed:
        return "TLS handshake failed";
      case Errc::library:
        return "OpenSSL error";
    }
    return "unknown error";
  }
};

}  // namespace

const std::error_category& pki_category() {
  static const PkiCategory category;
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), pki_category()};
}

}  // namespace rcc::pki
