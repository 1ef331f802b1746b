#pragma once
// rcc::pki::Errc: how keys, requests, certificates, chains and TLS probes fail.

#include <system_error>
#include <type_traits>

namespace rcc::pki {

enum class Errc {
  too_large = 1,         ///< an input file or buffer is above its Limits (checked before decoding)
  not_recognized,        ///< the bytes are neither PEM, DER nor unarmoured base64 of a known type
  truncated,             ///< DER whose length header promises more bytes than there are
  bad_base64,            ///< a PEM block or unarmoured base64 text that does not decode
  too_many_objects,      ///< more PEM blocks or PKCS#7 certificates than Limits allows
  encrypted_key,         ///< a passphrase-protected private key (not supported: decrypt it first)
  unsupported_key,       ///< a key type or size this tool does not make or accept
  bad_key_spec,          ///< a --key-type value that is not rsa:BITS or ec:CURVE
  key_generation,        ///< OpenSSL failed to generate a key
  insecure_permissions,  ///< a private key file readable or writable by group or others
  file_exists,           ///< an output file exists and overwriting was not asked for
  write_failed,          ///< an output file could not be created or written
  bad_name,              ///< a subject field (CN, O, OU, L, ST, C) is empty, too long or invalid
  bad_san,               ///< a subjectAltName entry is not a DNS name or an IP address
  signing_failed,        ///< OpenSSL could not sign a request or certificate
  bad_signature,         ///< a request's self-signature does not verify
  wrong_kind,            ///< the file holds something else than what was asked for (a key, a CSR)
  ca_files,              ///< a lab CA directory is missing, incomplete, or its serial file broken
  connect_failed,        ///< the TCP connection to a TLS peer failed or timed out
  handshake_failed,      ///< the TLS handshake failed or the peer sent no certificate
  library,               ///< any other failure inside OpenSSL (the detail has its error queue)
};
const std::error_category& pki_category();
std::error_code make_error_code(Errc e);

}  // namespace rcc::pki

template <>
struct std::is_error_code_enum<rcc::pki::Errc> : std::true_type {};
