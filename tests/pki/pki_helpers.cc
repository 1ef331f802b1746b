#include "pki/pki_helpers.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "pki/key.h"

namespace rcc::pki::test {
namespace {

EVP_PKEY* once(util::EvpPkeyPtr& slot, const char* spec) {
  if (!slot) {
    auto parsed = parse_key_spec(spec);
    auto key = generate_key(*parsed);
    if (!key) throw std::runtime_error(key.error().message());
    slot = std::move(*key);
  }
  return slot.get();
}

util::EvpPkeyPtr g_ec, g_other_ec, g_rsa;

}  // namespace

EVP_PKEY* ec_key() {
  return once(g_ec, "ec:p256");
}
EVP_PKEY* other_ec_key() {
  return once(g_other_ec, "ec:p256");
}
EVP_PKEY* rsa_key() {
  return once(g_rsa, "rsa:2048");
}

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/rcc-pki-test.XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

util::X509Ptr make_cert(const CertSpec& s) {
  EVP_PKEY* key = s.key != nullptr ? s.key : ec_key();
  EVP_PKEY* signer = s.issuer_key != nullptr ? s.issuer_key : key;
  util::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), s.v1 ? X509_VERSION_1 : X509_VERSION_3);
  static long serial = 1000;
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), ++serial);
  util::X509NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(s.cn.c_str()), -1, -1, 0);
  X509_set_subject_name(cert.get(), name.get());
  X509_set_issuer_name(cert.get(),
                       s.issuer != nullptr ? X509_get_subject_name(s.issuer) : name.get());
  X509_set_pubkey(cert.get(), key);
  std::time_t now = std::time(nullptr);
  X509_time_adj(X509_getm_notBefore(cert.get()), s.not_before, &now);
  X509_time_adj(X509_getm_notAfter(cert.get()), s.not_after, &now);
  if (!s.v1) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, s.issuer != nullptr ? const_cast<X509*>(s.issuer) : cert.get(), cert.get(),
                   nullptr, nullptr, 0);
    std::vector<std::pair<int, std::string>> exts;
    exts.emplace_back(NID_basic_constraints, s.ca ? "critical,CA:TRUE" : "CA:FALSE");
    exts.emplace_back(NID_subject_key_identifier, "hash");
    if (s.ca) exts.emplace_back(NID_key_usage, "critical,keyCertSign,cRLSign");
    if (!s.san.empty()) exts.emplace_back(NID_subject_alt_name, s.san);
    if (!s.eku.empty()) exts.emplace_back(NID_ext_key_usage, s.eku);
    for (const auto& [nid, value] : exts) {
      util::X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, &ctx, nid, value.c_str()));
      if (!ext) throw std::runtime_error(util::openssl_error("extension " + value));
      X509_add_ext(cert.get(), ext.get(), -1);
    }
  }
  if (X509_sign(cert.get(), signer, s.md != nullptr ? s.md : EVP_sha256()) <= 0) {
    throw std::runtime_error(util::openssl_error("signing a test certificate"));
  }
  return cert;
}

void write(const std::string& path, const std::string& text, unsigned mode) {
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
  }
  ::chmod(path.c_str(), mode_t(mode));
}

int shell(const std::string& command) {
  const int status = std::system(command.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace rcc::pki::test
