#pragma once
// The checks of `rcc-csr check`: is this certificate (and key, and chain) what an OCS/Lync RCC
// peer will accept? Each check gives PASS, WARN or FAIL with the reason and, unless it passed,
// the fix. Works the same on files and on the chain a live TLS peer presents.

#include <cstdint>
#include <string>
#include <vector>

#include "util/openssl.h"

namespace rcc::pki {

enum class Status { pass, warn, fail };
const char* status_name(Status s);  ///< "PASS", "WARN", "FAIL"

struct Finding {
  std::string check;  ///< stable id: "x509-v3", "fqdn-cn", "fqdn-san", "eku", "key-match",
                      ///< "chain", "validity", "signature", "key-strength"
  Status status = Status::pass;
  std::string reason;
  std::string fix;  ///< empty for PASS
};

struct CheckInput {
  const X509* certificate = nullptr;  ///< the gateway's (leaf) certificate
  const EVP_PKEY* key = nullptr;      ///< its private key, when given
  std::string key_name;               ///< for messages: the key file
  std::vector<X509*> untrusted;       ///< intermediates (and anything else) to build the chain
  std::vector<X509*> trusted;         ///< roots the peer trusts
  bool system_trust = false;          ///< no roots given: use OpenSSL's default store instead
  std::string fqdn;                   ///< the name peers use; empty: not compared
  int warn_days = 30;                 ///< WARN when a certificate expires sooner than this
  std::int64_t now = 0;               ///< Unix time the validity is judged at
};

/// Runs every check in a fixed order; never fails as a whole.
std::vector<Finding> run_checks(const CheckInput& input);

/// The worst status of `findings` (PASS when empty).
Status overall(const std::vector<Finding>& findings);

}  // namespace rcc::pki
