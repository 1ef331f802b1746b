#pragma once
// A small file-based lab CA, so that a lab or a test can run the whole flow offline: CA, request,
// signed certificate, chain, check. Not for production: no revocation, no policy beyond the
// allowed extensions.
//
// A CA directory holds ca.key (0600), ca.crt (the self-signed root) and serial (the next serial
// number, hex, as `openssl ca` keeps it).

#include <cstdint>
#include <string>
#include <vector>

#include "diag/error.h"
#include "pki/csr.h"
#include "pki/key.h"
#include "util/openssl.h"

namespace rcc::pki {

struct CaPaths {
  std::string dir;
  std::string key() const { return dir + "/ca.key"; }
  std::string certificate() const { return dir + "/ca.crt"; }
  std::string serial() const { return dir + "/serial"; }
};

/// A self-signed v3 CA certificate (basicConstraints critical CA:TRUE, keyUsage keyCertSign and
/// cRLSign, subject key identifier), SHA-256, valid from now - 1 hour for `days` days.
Result<util::X509Ptr> make_ca_certificate(EVP_PKEY* key, const Subject& subject, int days,
                                          std::int64_t now);

struct SignResult {
  util::X509Ptr certificate;
  std::vector<std::string> kept;     ///< requested extensions copied (short names)
  std::vector<std::string> dropped;  ///< requested extensions refused, with the reason
};

/// Signs `request` (whose self-signature must verify): subject and key from the request,
/// `serial`, valid from now - 1 hour for `days` days, v3. Of the requested extensions,
/// subjectAltName and extendedKeyUsage are kept, keyUsage is kept unless it asks for CA usages,
/// everything else is dropped (a request cannot make itself a CA). basicConstraints CA:FALSE and
/// the key identifiers are always added. Errors: bad_signature, signing_failed.
Result<SignResult> sign_request(X509_REQ* request, const X509* ca_certificate, EVP_PKEY* ca_key,
                                std::uint64_t serial, int days, std::int64_t now);

/// Creates `paths.dir` if needed and writes the key, certificate and serial file.
/// Errors: file_exists (unless force), write_failed, key_generation, signing_failed.
Result<void> ca_init(const CaPaths& paths, const KeySpec& key_spec, const Subject& subject,
                     int days, bool force, std::int64_t now);

/// Loads the CA, takes the next serial number (and writes its successor back), signs.
/// Errors: ca_files and those of sign_request and load_private_key.
Result<SignResult> ca_sign(const CaPaths& paths, X509_REQ* request, int days, std::int64_t now);

}  // namespace rcc::pki
