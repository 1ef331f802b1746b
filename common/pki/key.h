#pragma once
// Private keys: what kinds rcc-csr makes (RSA 2048/3072/4096, EC P-256/P-384), generating them,
// describing any key, loading a private key file (refusing one that others can read), and writing
// files the way key material must be written (0600, never over an existing file unless forced).

#include <string>
#include <string_view>

#include "diag/error.h"
#include "pki/error.h"
#include "util/openssl.h"

namespace rcc::pki {

enum class KeyAlgorithm { rsa, ec };

/// A key to generate: "rsa:2048", "rsa:3072", "rsa:4096", "ec:p256" or "ec:p384".
struct KeySpec {
  KeyAlgorithm algorithm = KeyAlgorithm::rsa;
  int rsa_bits = 2048;
  std::string curve;  ///< NIST name for EC keys: "P-256" or "P-384"

  /// The spelling parse_key_spec() accepts ("rsa:2048", "ec:p256").
  std::string text() const;
};

/// The key types --key-type accepts, for help texts and completions.
constexpr const char* kKeySpecs[] = {"rsa:2048", "rsa:3072", "rsa:4096", "ec:p256", "ec:p384"};

/// Errors: bad_key_spec (naming the accepted values).
Result<KeySpec> parse_key_spec(std::string_view text);

/// Errors: key_generation (with OpenSSL's reason).
Result<util::EvpPkeyPtr> generate_key(const KeySpec& spec);

/// What any key is: "RSA" 2048, "EC" 256 "P-256", "ED25519" 256...
struct KeyDescription {
  std::string algorithm;  ///< "RSA", "EC", "DSA", "ED25519", ...
  int bits = 0;
  std::string curve;  ///< EC only: "P-256" when the curve has a NIST name, else OpenSSL's name

  /// "RSA 2048", "EC P-256".
  std::string text() const;
};
KeyDescription describe_key(const EVP_PKEY* key);

/// True for the key types a gateway certificate can use here (RSA, EC on P-256/P-384/P-521).
bool usable_for_tls_identity(const KeyDescription& key);

/// SHA-256 of the DER SubjectPublicKeyInfo, colon-separated hex: the same for a private key, its
/// request and its certificate, so a reader can match them by eye.
std::string public_key_sha256(const EVP_PKEY* key);

/// True when `key` is the private half of `public_key` (or the same public key).
bool keys_match(const EVP_PKEY* public_key, const EVP_PKEY* key);

/// PKCS#8 "PRIVATE KEY" PEM, unencrypted.
std::string private_key_pem(const EVP_PKEY* key);
/// PKCS#8 DER, unencrypted.
std::string private_key_der(const EVP_PKEY* key);

/// Reads a private key file (PEM or DER, PKCS#8 or traditional). The file must not be readable
/// or writable by group or others (as ssh insists), since it is the gateway's identity.
/// Errors: insecure_permissions, encrypted_key, wrong_kind, and those of decode/load.
Result<util::EvpPkeyPtr> load_private_key(const std::string& path);

enum class FileMode { private_key, public_data };

/// Writes `contents` to `path`, created with mode 0600 (private_key) or 0644 less the umask
/// (public_data). An existing file is an error (file_exists) unless `force`; then it is replaced,
/// and a replaced private key file still ends up 0600.
/// Errors: file_exists, write_failed.
Result<void> write_file(const std::string& path, std::string_view contents, FileMode mode,
                        bool force);

}  // namespace rcc::pki
