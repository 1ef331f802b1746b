#pragma once
// What a certificate, a request or a key holds, as plain values that a tool prints or turns
// into JSON: subject, subjectAltNames, extended key usages, key, validity, issuer, serial,
// fingerprints.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pki/key.h"
#include "util/openssl.h"

namespace rcc::pki {

/// OIDs that OCS/Lync require of the gateway's certificate (RFC 5280 §4.2.1.12).
constexpr const char* kServerAuthOid = "1.3.6.1.5.5.7.3.1";
constexpr const char* kClientAuthOid = "1.3.6.1.5.5.7.3.2";

struct San {
  std::string type;   ///< "DNS", "IP", "email", "URI", "other"
  std::string value;  ///< for "other": a description
};

struct Eku {
  std::string oid;   ///< dotted, e.g. "1.3.6.1.5.5.7.3.1"
  std::string name;  ///< OpenSSL's short name, e.g. "serverAuth"; the OID when it has none
};

struct CertificateInfo {
  int version = 0;                    ///< 1, 2 or 3 (X.509 v3 has extensions)
  std::string subject, issuer;        ///< RFC 2253 one-line form, most significant RDN last
  std::string common_name;            ///< the subject's (last) CN; empty when there is none
  std::string serial;                 ///< colon-separated hex
  std::string not_before, not_after;  ///< ISO 8601 UTC: "2026-11-25T10:00:00Z"
  std::int64_t not_before_unix = 0, not_after_unix = 0;
  std::vector<San> sans;
  bool has_eku = false;
  std::vector<Eku> ekus;
  std::vector<std::string> key_usage;  ///< "digitalSignature", ...
  std::optional<bool> ca;              ///< basicConstraints cA; nullopt without the extension
  KeyDescription key;
  std::string public_key_sha256;
  std::string signature_algorithm;  ///< e.g. "sha256WithRSAEncryption"
  std::string signature_digest;     ///< e.g. "SHA256", "SHA1"; empty when there is none (Ed25519)
  std::string sha1, sha256;         ///< fingerprints of the DER certificate
  bool self_issued = false;         ///< subject == issuer
};

struct RequestInfo {
  std::string subject;
  std::string common_name;
  std::vector<San> sans;
  bool has_eku = false;
  std::vector<Eku> ekus;
  std::vector<std::string> key_usage;
  KeyDescription key;
  std::string public_key_sha256;
  std::string signature_algorithm;
  bool signature_valid = false;  ///< the request's self-signature verifies with its own key
  std::string sha256;            ///< of the DER request
};

struct KeyInfo {
  KeyDescription key;
  bool private_key = false;
  std::string public_key_sha256;
};

CertificateInfo inspect(const X509* cert);
RequestInfo inspect(const X509_REQ* req);
KeyInfo inspect(const EVP_PKEY* key, bool private_key);

/// The last CN of a name; empty when there is none or it is not UTF-8 convertible.
std::string common_name(const X509_NAME* name);
/// RFC 2253 one-line form.
std::string name_text(const X509_NAME* name);
/// "cup.example.com" matches "cup.example.com" and "*.example.com" (one label, RFC 6125 §6.4.3),
/// ignoring ASCII case.
bool dns_name_matches(const std::string& pattern, const std::string& host);

/// "serverAuth (1.3.6.1.5.5.7.3.1)".
std::string eku_text(const Eku& eku);

/// ISO 8601 UTC for a Unix time.
std::string iso8601(std::int64_t unix_time);

}  // namespace rcc::pki
