#pragma once
// PKCS#10 certificate requests (RFC 2986) for the gateway: the subject names its FQDN, the
// subjectAltName always includes that FQDN, and the extended key usage asks for both TLS server
// and client authentication, which OCS/Lync require of an RCC peer's certificate.

#include <string>
#include <string_view>
#include <vector>

#include "diag/error.h"
#include "pki/error.h"
#include "util/openssl.h"

namespace rcc::pki {

struct Subject {
  std::string cn;  ///< the FQDN the OCS/Lync static route and host authorization name
  std::string o, ou, l, st, c;
};

struct RequestOptions {
  Subject subject;
  std::vector<std::string> sans;  ///< extra DNS names or IP addresses; the CN is added anyway
};

/// A host name: dot-separated labels of letters, digits and '-' (RFC 1123 §2.1), at most 253
/// characters; with `wildcard`, "*." may lead.
bool valid_dns_name(std::string_view name, bool wildcard);
bool is_ip_address(std::string_view text);

/// The SAN entries a request gets, "DNS:..." or "IP:...": the CN first, then `extra` in order,
/// without duplicates (DNS names compared ignoring ASCII case).
/// Errors: bad_san (an entry that is neither a DNS name nor an IP address).
Result<std::vector<std::string>> san_entries(const std::string& cn,
                                             const std::vector<std::string>& extra);

/// Checks and builds a subject name (C, ST, L, O, OU as given, then CN). The CN must be a host
/// name unless `cn_is_host` is false (a CA's name). Errors: bad_name.
Result<util::X509NamePtr> make_name(const Subject& subject, bool cn_is_host = true);

/// Builds and signs (SHA-256) a request for `key`, with subjectAltName, extendedKeyUsage
/// serverAuth+clientAuth and a critical keyUsage fitting the key type.
/// Errors: bad_name, bad_san, unsupported_key (not RSA >= 2048 or EC), signing_failed.
Result<util::X509ReqPtr> build_request(EVP_PKEY* key, const RequestOptions& options);

}  // namespace rcc::pki
