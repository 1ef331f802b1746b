#include "sip/transport_tls.h"

#include <memory>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "sip/error.h"
#include "util/log.h"

namespace rcc::sip {
namespace {

// OpenSSL handles owned here only (common/util/openssl.h belongs to another area's work).
struct OpensslFree {
  void operator()(BIO* p) const { BIO_free(p); }
  void operator()(X509* p) const { X509_free(p); }
  void operator()(SSL_CTX* p) const { SSL_CTX_free(p); }
  void operator()(SSL* p) const { SSL_free(p); }
};

std::string openssl_reason() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

Error tls_error(const std::string& what) {
  return Error(Errc::tls_failure, what + ": " + openssl_reason());
}

constexpr const char* kLegacyCiphers = "DEFAULT:DES-CBC3-SHA:@SECLEVEL=0";

}  // namespace

bool openssl_has_3des() {
  std::unique_ptr<SSL_CTX, OpensslFree> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) return false;
  const bool ok = SSL_CTX_set_cipher_list(ctx.get(), "DES-CBC3-SHA:@SECLEVEL=0") == 1;
  ERR_clear_error();
  return ok;
}

Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsOptions& options,
                                                                    TlsRole role) {
  namespace ssl = boost::asio::ssl;
  auto ctx = std::make_shared<ssl::context>(role == TlsRole::server ? ssl::context::tls_server
                                                                    : ssl::context::tls_client);
  SSL_CTX* native = ctx->native_handle();
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::single_dh_use);
  if (options.legacy_tls10_3des) {
    // OpenSSL 3 needs security level 0 for TLS 1.0 and for 3DES (see the header).
    SSL_CTX_set_security_level(native, 0);
    SSL_CTX_set_min_proto_version(native, TLS1_VERSION);
    // CBC in TLS 1.0: no empty fragments before records (old Schannel peers choke on them), as
    // the reference gateway's "Disable Empty TLS Fragments" does.
    SSL_CTX_set_options(native, SSL_OP_DONT_INSERT_EMPTY_FRAGMENTS);
    if (SSL_CTX_set_cipher_list(native, kLegacyCiphers) != 1)
      return tls_error("cipher list " + std::string(kLegacyCiphers));
    if (!openssl_has_3des())
      util::logger("sip")->warn(
          "tls legacy switch: this OpenSSL has no DES-CBC3-SHA; TLS 1.0 allowed with AES only");
  } else {
    SSL_CTX_set_min_proto_version(native, options.min_tls13 ? TLS1_3_VERSION : TLS1_2_VERSION);
  }
  if (!options.cert_file.empty() &&
      SSL_CTX_use_certificate_chain_file(native, options.cert_file.c_str()) != 1)
    return tls_error("certificate " + options.cert_file);
  if (!options.key_file.empty() &&
      SSL_CTX_use_PrivateKey_file(native, options.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
    return tls_error("private key " + options.key_file);
  if (!options.cert_file.empty() && !options.key_file.empty() &&
      SSL_CTX_check_private_key(native) != 1)
    return tls_error("key does not match " + options.cert_file);
  if (!options.ca_file.empty() &&
      SSL_CTX_load_verify_locations(native, options.ca_file.c_str(), nullptr) != 1)
    return tls_error("CA file " + options.ca_file);
  if (options.verify_peer) {
    int mode = SSL_VERIFY_PEER;
    if (role == TlsRole::server) mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    SSL_CTX_set_verify(native, mode, nullptr);
  } else {
    SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  }
  return ctx;
}

std::string peer_certificate_subject(void* ssl) {
  std::unique_ptr<X509, OpensslFree> cert(SSL_get1_peer_certificate(static_cast<SSL*>(ssl)));
  if (!cert) return {};
  std::unique_ptr<BIO, OpensslFree> bio(BIO_new(BIO_s_mem()));
  if (!bio) return {};
  X509_NAME_print_ex(bio.get(), X509_get_subject_name(cert.get()), 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio.get(), &data);
  return n > 0 ? std::string(data, std::size_t(n)) : std::string();
}

std::vector<std::string> peer_certificate_names(void* ssl) {
  std::vector<std::string> names;
  std::unique_ptr<X509, OpensslFree> cert(SSL_get1_peer_certificate(static_cast<SSL*>(ssl)));
  if (!cert) return names;
  X509_NAME* subject = X509_get_subject_name(cert.get());
  for (int i = X509_NAME_get_index_by_NID(subject, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) {
    const ASN1_STRING* value = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
    names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(value)),
                       std::size_t(ASN1_STRING_length(value)));
  }
  auto* sans = static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  if (sans) {
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
      const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
      if (n->type != GEN_DNS) continue;
      names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(n->d.dNSName)),
                         std::size_t(ASN1_STRING_length(n->d.dNSName)));
    }
    GENERAL_NAMES_free(sans);
  }
  return names;
}

}  // namespace rcc::sip
