#include "pki/check.h"

#include <algorithm>
#include <deque>

#include "pki/inspect.h"
#include "pki/key.h"

namespace rcc::pki {
namespace {

constexpr std::int64_t kDay = 24 * 60 * 60;

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

// How a certificate is named in messages: its CN, else its whole subject.
std::string label(const CertificateInfo& info) {
  return quoted(info.common_name.empty() ? info.subject : info.common_name);
}

// inspect() once per certificate: the chain and the checks name the same certificates often.
class Infos {
 public:
  const CertificateInfo& operator()(const X509* cert) {
    for (const auto& [c, info] : cache_)
      if (c == cert) return info;
    cache_.emplace_back(cert, inspect(cert));
    return cache_.back().second;
  }

 private:
  std::deque<std::pair<const X509*, CertificateInfo>> cache_;
};

Finding pass(const char* check, std::string reason) {
  return {check, Status::pass, std::move(reason), {}};
}
Finding warn(const char* check, std::string reason, std::string fix) {
  return {check, Status::warn, std::move(reason), std::move(fix)};
}
Finding fail(const char* check, std::string reason, std::string fix) {
  return {check, Status::fail, std::move(reason), std::move(fix)};
}

Finding check_version(const CertificateInfo& leaf) {
  if (leaf.version == 3) return pass("x509-v3", "X.509 v3 certificate");
  return fail("x509-v3",
              "an X.509 v" + std::to_string(leaf.version) +
                  " certificate: it cannot carry extensions, so no subjectAltName and no "
                  "extended key usage",
              "re-issue it as v3 with the request's extensions (the CA must use a v3 template; "
              "rcc-csr new writes the extensions into the request)");
}

Finding check_cn(const CertificateInfo& leaf, const std::string& fqdn) {
  const char* id = "fqdn-cn";
  if (leaf.common_name.empty()) {
    return fail(id, "the subject has no CN",
                "request a new certificate with the gateway's FQDN as CN: rcc-csr new --cn FQDN");
  }
  if (fqdn.empty()) {
    return warn(id, "subject CN is " + quoted(leaf.common_name) + "; not compared with any name",
                "give --fqdn with the name the OCS/Lync static route and host authorization use");
  }
  if (leaf.common_name.find('*') == std::string::npos && dns_name_matches(leaf.common_name, fqdn)) {
    return pass(id, "subject CN " + quoted(leaf.common_name) + " is the FQDN");
  }
  return fail(id,
              "subject CN is " + quoted(leaf.common_name) + ", but peers expect " + quoted(fqdn) +
                  " (OCS/Lync compare the CN with the static route's FQDN)",
              "request a new certificate: rcc-csr new --cn " + fqdn);
}

Finding check_san(const CertificateInfo& leaf, const std::string& fqdn) {
  const char* id = "fqdn-san";
  std::vector<std::string> dns;
  std::string listed;
  for (const auto& s : leaf.sans) {
    listed += (listed.empty() ? "" : ", ") + s.type + ":" + s.value;
    if (s.type == "DNS") dns.push_back(s.value);
  }
  const std::string name = fqdn.empty() ? leaf.common_name : fqdn;
  const std::string fix = "request a new certificate: rcc-csr new --cn " +
                          (name.empty() ? std::string("FQDN") : name) +
                          " (the CN is always put in the subjectAltName)";
  if (leaf.sans.empty()) {
    return warn(id,
                "no subjectAltName: TLS clients that follow RFC 6125 ignore the CN and will "
                "reject the name",
                fix);
  }
  if (name.empty()) return warn(id, "subjectAltName " + listed + "; no name to compare", fix);
  for (const auto& d : dns) {
    if (dns_name_matches(d, name)) {
      return pass(id, "subjectAltName includes " + quoted(name) + " (" + listed + ")");
    }
  }
  return fail(id,
              "subjectAltName (" + listed + ") does not include " + quoted(name) +
                  (fqdn.empty() ? " (the CN)" : ""),
              fix);
}

Finding check_eku(const CertificateInfo& leaf) {
  const char* id = "eku";
  const std::string fix =
      "re-issue from a template with both Server Authentication and Client Authentication "
      "(a Windows CA's 'Web Server' template has server only; rcc-csr new requests both)";
  if (!leaf.has_eku) {
    return fail(id,
                "no extendedKeyUsage: OCS/Lync require serverAuth (" + std::string(kServerAuthOid) +
                    ") and clientAuth (" + kClientAuthOid + ")",
                fix);
  }
  bool server = false, client = false;
  for (const auto& e : leaf.ekus) {
    server = server || e.oid == kServerAuthOid;
    client = client || e.oid == kClientAuthOid;
  }
  if (server && client) return pass(id, "extendedKeyUsage has serverAuth and clientAuth");
  std::string missing;
  if (!server) missing = "serverAuth (" + std::string(kServerAuthOid) + ")";
  if (!client) {
    missing += std::string(missing.empty() ? "" : " and ") + "clientAuth (" + kClientAuthOid + ")";
  }
  return fail(id,
              "extendedKeyUsage lacks " + missing +
                  ": the gateway is TLS server and client on the same link",
              fix);
}

Finding check_key(const X509* cert, const CertificateInfo& leaf, const EVP_PKEY* key,
                  const std::string& key_name) {
  const std::string name = key_name.empty() ? "the key" : quoted(key_name);
  if (keys_match(X509_get0_pubkey(cert), key)) {
    return pass("key-match", name + " is the certificate's private key");
  }
  return fail("key-match",
              name + " does not belong to this certificate (public key SHA-256 " +
                  public_key_sha256(key).substr(0, 23) + "... vs the certificate's " +
                  leaf.public_key_sha256.substr(0, 23) + "...)",
              "use the key the request was made with, or make a new request with this key "
              "(rcc-csr new --key KEY) and have it signed");
}

struct ChainResult {
  Finding finding;
  util::X509StackPtr chain;  ///< as far as it was built; leaf first
};

ChainResult check_chain(const CheckInput& in, Infos& info) {
  const char* id = "chain";
  util::X509StorePtr store(X509_STORE_new());
  for (X509* t : in.trusted)
    X509_STORE_add_cert(store.get(), t);
  if (in.system_trust) X509_STORE_set_default_paths(store.get());
  util::X509StackPtr untrusted(sk_X509_new_null());
  for (X509* u : in.untrusted) {
    X509_up_ref(u);
    sk_X509_push(untrusted.get(), u);
  }
  util::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  // X509_STORE_CTX_init does not modify the target certificate.
  X509_STORE_CTX_init(ctx.get(), store.get(), const_cast<X509*>(in.certificate), untrusted.get());
  // Dates are the validity check's business: one reason per problem, not two.
  X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx.get()), X509_V_FLAG_NO_CHECK_TIME);
  const bool ok = X509_verify_cert(ctx.get()) == 1;
  ChainResult result;
  result.chain.reset(X509_STORE_CTX_get1_chain(ctx.get()));
  const std::string trust_source =
      in.trusted.empty() ? std::string("the system's trusted roots") : std::string("--trust");
  if (ok) {
    std::string path;
    const int n = sk_X509_num(result.chain.get());
    for (int i = 0; i < n; ++i)
      path += (i ? " <- " : "") + label(info(sk_X509_value(result.chain.get(), i)));
    result.finding = pass(id, "chain " + path + " verifies to a root in " + trust_source);
    util::clear_openssl_errors();
    return result;
  }
  const int err = X509_STORE_CTX_get_error(ctx.get());
  X509* current = X509_STORE_CTX_get_current_cert(ctx.get());
  const CertificateInfo& cur = info(current != nullptr ? current : in.certificate);
  const std::string what = X509_verify_cert_error_string(err);
  switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
      result.finding =
          fail(id,
               "no certificate for " + quoted(cur.issuer) + ", the issuer of " + label(cur) +
                   ", in the chain files or " + trust_source,
               "add the CA's intermediate certificates with --chain (its .p7b or a "
               "PEM bundle); if " +
                   quoted(cur.issuer) + " is the root the peers trust, give it with --trust");
      break;
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      result.finding = fail(
          id, "the chain ends at the root " + label(cur) + ", which is not among " + trust_source,
          "give the root the peers trust with --trust (and import it into "
          "their trusted root store), or have the certificate issued by a CA "
          "they trust");
      break;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
      result.finding = fail(id, "the certificate is self-signed and not among " + trust_source,
                            "have the request signed by the CA the OCS/Lync servers trust");
      break;
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      result.finding =
          fail(id, "the signature on " + label(cur) + " does not verify with its issuer's key",
               "the chain holds another CA certificate with the same name (renewed "
               "CA?): get the current one from the CA");
      break;
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_KEYUSAGE_NO_CERTSIGN:
      result.finding = fail(id, label(cur) + " is used as a CA but is not one (" + what + ")",
                            "use the CA's own intermediate certificates in --chain");
      break;
    default:
      result.finding = fail(id, label(cur) + ": " + what,
                            "check the --chain files and the trusted root (--trust)");
      break;
  }
  util::clear_openssl_errors();
  return result;
}

std::vector<CertificateInfo> infos(const STACK_OF(X509) * chain, const X509* leaf, Infos& info) {
  std::vector<CertificateInfo> out;
  const int n = chain == nullptr ? 0 : sk_X509_num(chain);
  for (int i = 0; i < n; ++i)
    out.push_back(info(sk_X509_value(chain, i)));
  if (out.empty()) out.push_back(info(leaf));
  return out;
}

Finding check_validity(const std::vector<CertificateInfo>& chain, const CheckInput& in) {
  const char* id = "validity";
  std::vector<std::string> failures, warnings;
  for (const auto& c : chain) {
    if (in.now < c.not_before_unix) {
      failures.push_back(label(c) + " is not valid before " + c.not_before);
    } else if (in.now > c.not_after_unix) {
      failures.push_back(label(c) + " expired on " + c.not_after);
    } else if (c.not_after_unix - in.now < std::int64_t(in.warn_days) * kDay) {
      warnings.push_back(label(c) + " expires on " + c.not_after + " (in " +
                         std::to_string((c.not_after_unix - in.now) / kDay) + " days)");
    }
  }
  auto join = [](const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v)
      out += (out.empty() ? "" : "; ") + s;
    return out;
  };
  if (!failures.empty()) {
    return fail(id, join(failures),
                "renew it: make a new request (rcc-csr new) and have it signed; check the clock "
                "if the dates look right");
  }
  if (!warnings.empty()) return warn(id, join(warnings), "renew it before it expires");
  const auto& leaf = chain.front();
  return pass(id, "valid until " + leaf.not_after + " (" +
                      std::to_string((leaf.not_after_unix - in.now) / kDay) + " days)");
}

Finding check_signature(const std::vector<CertificateInfo>& chain) {
  const char* id = "signature";
  for (const auto& c : chain) {
    if (c.self_issued && &c != &chain.front()) continue;  // a root's self-signature proves nothing
    const std::string& d = c.signature_digest;
    if (d == "SHA1" || d == "MD5" || d == "MD4" || d == "MD2") {
      return fail(id,
                  label(c) + " is signed with " + c.signature_algorithm + ": " + d +
                      " signatures are rejected by current TLS stacks",
                  "re-issue with SHA-256 (on a Windows CA: certutil -setreg "
                  "ca\\csp\\CNGHashAlgorithm SHA256, then restart the CA)");
    }
  }
  return pass(id, "signed with " + chain.front().signature_algorithm);
}

Finding check_strength(const std::vector<CertificateInfo>& chain) {
  const char* id = "key-strength";
  for (const auto& c : chain) {
    const auto& k = c.key;
    if ((k.algorithm == "RSA" && k.bits < 2048) || (k.algorithm == "EC" && k.bits < 256) ||
        k.algorithm == "DSA") {
      return fail(id, label(c) + " has a " + k.text() + " key, too weak for current TLS stacks",
                  "use RSA of 2048 bits or more, or EC P-256/P-384 (rcc-csr new --key-type)");
    }
    if (k.algorithm != "RSA" && k.algorithm != "EC") {
      return warn(id, label(c) + " has a " + k.text() + " key, which OCS/Lync cannot use",
                  "use RSA 2048 or EC P-256 (rcc-csr new --key-type)");
    }
  }
  return pass(id, chain.front().key.text() + " key");
}

}  // namespace

const char* status_name(Status s) {
  switch (s) {
    case Status::pass:
      return "PASS";
    case Status::warn:
      return "WARN";
    case Status::fail:
      return "FAIL";
  }
  return "";
}

std::vector<Finding> run_checks(const CheckInput& in) {
  std::vector<Finding> out;
  Infos info;
  const CertificateInfo leaf = info(in.certificate);
  out.push_back(check_version(leaf));
  out.push_back(check_cn(leaf, in.fqdn));
  out.push_back(check_san(leaf, in.fqdn));
  out.push_back(check_eku(leaf));
  if (in.key != nullptr) out.push_back(check_key(in.certificate, leaf, in.key, in.key_name));
  auto chain = check_chain(in, info);
  out.push_back(chain.finding);
  const auto chain_infos = infos(chain.chain.get(), in.certificate, info);
  out.push_back(check_validity(chain_infos, in));
  out.push_back(check_signature(chain_infos));
  out.push_back(check_strength(chain_infos));
  return out;
}

Status overall(const std::vector<Finding>& findings) {
  Status worst = Status::pass;
  for (const auto& f : findings)
    worst = std::max(worst, f.status);
  return worst;
}

}  // namespace rcc::pki
