#include "pki/csr.h"

#include <arpa/inet.h>

#include <cctype>

#include "pki/key.h"

namespace rcc::pki {
namespace {

// Upper bounds from RFC 5280 Appendix A.1 (ub-common-name etc.).
constexpr std::size_t kMaxCommonName = 64;
constexpr std::size_t kMaxOrganization = 64;
constexpr std::size_t kMaxLocality = 128;
constexpr std::size_t kMaxDnsName = 253;

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return out;
}

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (const char c : label) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    if (!ok) return false;
  }
  return true;
}

Result<void> add_entry(X509_NAME* name, const char* field, const std::string& value,
                       std::size_t max, const char* what) {
  if (value.empty()) return {};
  if (value.size() > max) {
    return Error(Errc::bad_name, std::string(what) + " '" + value + "' is longer than " +
                                     std::to_string(max) + " characters");
  }
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()),
                                 int(value.size()), -1, 0) != 1) {
    return Error(Errc::bad_name, util::openssl_error(std::string(what) + " '" + value + "'"));
  }
  return {};
}

Result<void> add_extension(STACK_OF(X509_EXTENSION) * exts, X509V3_CTX* ctx, int nid,
                           const std::string& value) {
  util::X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext) return Error(Errc::signing_failed, util::openssl_error(std::string(OBJ_nid2sn(nid))));
  if (sk_X509_EXTENSION_push(exts, ext.get()) <= 0) {
    return Error(Errc::signing_failed, util::openssl_error("adding an extension"));
  }
  ext.release();  // the stack owns it now
  return {};
}

}  // namespace

bool valid_dns_name(std::string_view name, bool wildcard) {
  if (name.empty() || name.size() > kMaxDnsName) return false;
  if (wildcard && name.substr(0, 2) == "*.") name.remove_prefix(2);
  while (true) {
    const auto dot = name.find('.');
    if (!valid_label(name.substr(0, dot))) return false;
    if (dot == std::string_view::npos) return true;
    name.remove_prefix(dot + 1);
  }
}

bool is_ip_address(std::string_view text) {
  const std::string s(text);
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

Result<std::vector<std::string>> san_entries(const std::string& cn,
                                             const std::vector<std::string>& extra) {
  std::vector<std::string> out, seen;
  auto add = [&](const std::string& value) -> Result<void> {
    std::string entry;
    if (is_ip_address(value)) {
      entry = "IP:" + value;
    } else if (valid_dns_name(value, true)) {
      entry = "DNS:" + lower(value);
    } else {
      return Error(Errc::bad_san,
                   "subjectAltName '" + value + "' is neither a DNS name nor an IP address");
    }
    for (const auto& s : seen)
      if (s == entry) return {};
    seen.push_back(entry);
    out.push_back(is_ip_address(value) ? entry : "DNS:" + value);
    return {};
  };
  if (auto r = add(cn); !r) return r.error();
  for (const auto& s : extra)
    if (auto r = add(s); !r) return r.error();
  return out;
}

Result<util::X509NamePtr> make_name(const Subject& s, bool cn_is_host) {
  if (s.cn.empty()) return Error(Errc::bad_name, "the CN (--cn) is required: the gateway's FQDN");
  if (cn_is_host && !valid_dns_name(s.cn, false)) {
    return Error(Errc::bad_name, "CN '" + s.cn +
                                     "' is not a host name; it must be the FQDN that the OCS/Lync "
                                     "static route and host authorization name");
  }
  std::string country = s.c;
  if (!country.empty()) {
    if (country.size() != 2 || !std::isalpha(static_cast<unsigned char>(country[0])) ||
        !std::isalpha(static_cast<unsigned char>(country[1]))) {
      return Error(Errc::bad_name,
                   "country '" + s.c + "' must be a two-letter ISO 3166 code such as US or DE");
    }
    for (auto& c : country)
      c = char(std::toupper(static_cast<unsigned char>(c)));
  }
  util::X509NamePtr name(X509_NAME_new());
  // Most significant first, as Windows CAs and `openssl req` order them.
  const struct {
    const char* field;
    const std::string& value;
    std::size_t max;
    const char* what;
  } entries[] = {{"C", country, 2, "country"},
                 {"ST", s.st, kMaxLocality, "state"},
                 {"L", s.l, kMaxLocality, "locality"},
                 {"O", s.o, kMaxOrganization, "organization"},
                 {"OU", s.ou, kMaxOrganization, "organizational unit"},
                 {"CN", s.cn, kMaxCommonName, "CN"}};
  for (const auto& e : entries)
    if (auto r = add_entry(name.get(), e.field, e.value, e.max, e.what); !r) return r.error();
  return name;
}

Result<util::X509ReqPtr> build_request(EVP_PKEY* key, const RequestOptions& options) {
  const KeyDescription desc = describe_key(key);
  if (!usable_for_tls_identity(desc) || (desc.algorithm == "RSA" && desc.bits < 2048)) {
    return Error(Errc::unsupported_key, "a " + desc.text() +
                                            " key cannot be the gateway's identity: use RSA of "
                                            "2048 bits or more, or EC P-256/P-384");
  }
  auto name = make_name(options.subject);
  if (!name) return name.error();
  auto sans = san_entries(options.subject.cn, options.sans);
  if (!sans) return sans.error();

  util::clear_openssl_errors();
  util::X509ReqPtr req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), X509_REQ_VERSION_1) != 1 ||
      X509_REQ_set_subject_name(req.get(), name->get()) != 1 ||
      X509_REQ_set_pubkey(req.get(), key) != 1) {
    return Error(Errc::signing_failed, util::openssl_error("building the request"));
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, nullptr, nullptr, req.get(), nullptr, 0);
  util::X509ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
  std::string san_value;
  for (const auto& s : *sans)
    san_value += (san_value.empty() ? "" : ",") + s;
  // The names were validated above: no ',' or ':' can reach the v3 config syntax unescaped.
  // keyUsage per RFC 5480 §3 for EC (no keyEncipherment), RFC 4055 practice for RSA.
  const std::string usage = desc.algorithm == "RSA" ? "critical,digitalSignature,keyEncipherment"
                                                    : "critical,digitalSignature";
  for (auto [nid, value] : {std::pair<int, std::string>{NID_subject_alt_name, san_value},
                            {NID_ext_key_usage, "serverAuth,clientAuth"},
                            {NID_key_usage, usage}}) {
    if (auto r = add_extension(exts.get(), &ctx, nid, value); !r) return r.error();
  }
  if (X509_REQ_add_extensions(req.get(), exts.get()) != 1) {
    return Error(Errc::signing_failed, util::openssl_error("adding the request's extensions"));
  }
  if (X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) {
    return Error(Errc::signing_failed, util::openssl_error("signing the request"));
  }
  return req;
}

}  // namespace rcc::pki
