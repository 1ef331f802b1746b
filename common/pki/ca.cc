#include "pki/ca.h"

#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "pki/decode.h"
#include "pki/encode.h"
#include "util/file.h"

namespace rcc::pki {
namespace {

constexpr long kBackdateSeconds = 3600;  // tolerate peers whose clocks are a little behind

Result<void> set_validity(X509* cert, int days, std::int64_t now) {
  std::time_t t = std::time_t(now);
  if (X509_time_adj_ex(X509_getm_notBefore(cert), 0, -kBackdateSeconds, &t) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert), days, 0, &t) == nullptr) {
    return Error(Errc::signing_failed, util::openssl_error("setting the validity"));
  }
  return {};
}

Result<void> add_ext(X509* cert, X509V3_CTX* ctx, int nid, const char* value) {
  util::X509ExtensionPtr ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Error(Errc::signing_failed, util::openssl_error(std::string("adding ") + value));
  }
  return {};
}

std::uint64_t random_serial() {
  std::uint64_t v = 0;
  RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v);
  // Positive, non-zero, and with room to count up (RFC 5280 §4.1.2.2: positive integer).
  v &= 0x3FFFFFFFFFFFFFFFull;
  return v == 0 ? 1 : v;
}

std::string hex(std::uint64_t v) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%016llX\n", static_cast<unsigned long long>(v));
  return buf;
}

}  // namespace

Result<util::X509Ptr> make_ca_certificate(EVP_PKEY* key, const Subject& subject, int days,
                                          std::int64_t now) {
  auto name = make_name(subject, false);
  if (!name) return name.error();
  util::clear_openssl_errors();
  util::X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), random_serial()) != 1 ||
      X509_set_subject_name(cert.get(), name->get()) != 1 ||
      X509_set_issuer_name(cert.get(), name->get()) != 1 || X509_set_pubkey(cert.get(), key) != 1) {
    return Error(Errc::signing_failed, util::openssl_error("building the CA certificate"));
  }
  if (auto r = set_validity(cert.get(), days, now); !r) return r.error();
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair<int, const char*>{NID_basic_constraints, "critical,CA:TRUE"},
                            {NID_key_usage, "critical,keyCertSign,cRLSign"},
                            {NID_subject_key_identifier, "hash"},
                            {NID_authority_key_identifier, "keyid:always"}}) {
    if (auto r = add_ext(cert.get(), &ctx, nid, value); !r) return r.error();
  }
  if (X509_sign(cert.get(), key, EVP_sha256()) <= 0) {
    return Error(Errc::signing_failed, util::openssl_error("signing the CA certificate"));
  }
  return cert;
}

Result<SignResult> sign_request(X509_REQ* request, const X509* ca_certificate, EVP_PKEY* ca_key,
                                std::uint64_t serial, int days, std::int64_t now) {
  util::clear_openssl_errors();
  EVP_PKEY* pub = X509_REQ_get0_pubkey(request);
  if (pub == nullptr || X509_REQ_verify(request, pub) != 1) {
    util::clear_openssl_errors();
    return Error(Errc::bad_signature,
                 "the request's signature does not verify with its own key (damaged or edited "
                 "request): make a new one");
  }
  SignResult result;
  util::X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      ASN1_INTEGER_set_uint64(X509_get_serialNumber(cert.get()), serial) != 1 ||
      X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_certificate)) != 1 ||
      X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(request)) != 1 ||
      X509_set_pubkey(cert.get(), pub) != 1) {
    return Error(Errc::signing_failed, util::openssl_error("building the certificate"));
  }
  if (auto r = set_validity(cert.get(), days, now); !r) return r.error();

  util::X509ExtensionStackPtr exts(X509_REQ_get_extensions(request));
  for (int i = 0; i < sk_X509_EXTENSION_num(exts.get()); ++i) {
    X509_EXTENSION* ext = sk_X509_EXTENSION_value(exts.get(), i);
    const int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
    const char* sn = nid == NID_undef ? "unknown extension" : OBJ_nid2sn(nid);
    bool keep = false;
    if (nid == NID_subject_alt_name || nid == NID_ext_key_usage) {
      keep = true;
    } else if (nid == NID_key_usage) {
      util::Asn1BitStringPtr bits(static_cast<ASN1_BIT_STRING*>(X509V3_EXT_d2i(ext)));
      // RFC 5280 §4.2.1.3 bits 5 and 6: keyCertSign, cRLSign belong to CAs only.
      keep = bits && !ASN1_BIT_STRING_get_bit(bits.get(), 5) &&
             !ASN1_BIT_STRING_get_bit(bits.get(), 6);
      if (!keep) result.dropped.push_back("keyUsage (asks for CA usages)");
    } else if (nid == NID_basic_constraints) {
      result.dropped.push_back("basicConstraints (always CA:FALSE here)");
    } else {
      result.dropped.push_back(std::string(sn) + " (not allowed)");
    }
    if (keep) {
      if (X509_add_ext(cert.get(), ext, -1) != 1) {
        return Error(Errc::signing_failed, util::openssl_error(std::string("copying ") + sn));
      }
      result.kept.push_back(sn);
    }
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  // X509V3_set_ctx only reads the issuer certificate.
  X509V3_set_ctx(&ctx, const_cast<X509*>(ca_certificate), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair<int, const char*>{NID_basic_constraints, "critical,CA:FALSE"},
                            {NID_subject_key_identifier, "hash"},
                            {NID_authority_key_identifier, "keyid:always"}}) {
    if (auto r = add_ext(cert.get(), &ctx, nid, value); !r) return r.error();
  }
  if (X509_sign(cert.get(), ca_key, EVP_sha256()) <= 0) {
    return Error(Errc::signing_failed, util::openssl_error("signing the certificate"));
  }
  result.certificate = std::move(cert);
  return result;
}

Result<void> ca_init(const CaPaths& paths, const KeySpec& key_spec, const Subject& subject,
                     int days, bool force, std::int64_t now) {
  if (::mkdir(paths.dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return Error(Errc::write_failed, paths.dir + ": " + std::strerror(errno));
  }
  if (!force) {
    for (const auto& f : {paths.key(), paths.certificate(), paths.serial()}) {
      struct stat st {};
      if (::stat(f.c_str(), &st) == 0) {
        return Error(Errc::file_exists,
                     f + ": exists; this directory already holds a CA (give --force to replace "
                         "it, which orphans every certificate it signed)");
      }
    }
  }
  auto key = generate_key(key_spec);
  if (!key) return key.error();
  auto cert = make_ca_certificate(key->get(), subject, days, now);
  if (!cert) return cert.error();
  if (auto r = write_file(paths.key(), private_key_pem(key->get()), FileMode::private_key, force);
      !r) {
    return r;
  }
  if (auto r = write_file(paths.certificate(), to_pem(cert->get()), FileMode::public_data, force);
      !r) {
    return r;
  }
  return write_file(paths.serial(), hex(random_serial()), FileMode::public_data, force);
}

Result<SignResult> ca_sign(const CaPaths& paths, X509_REQ* request, int days, std::int64_t now) {
  auto decoded = load(paths.certificate());
  if (!decoded) {
    return Error(Errc::ca_files,
                 decoded.error().message() + " (create the CA with rcc-csr ca init)");
  }
  const auto certs = decoded->certificates();
  if (certs.empty()) return Error(Errc::ca_files, paths.certificate() + ": no certificate in it");
  auto key = load_private_key(paths.key());
  if (!key) return key.error();
  if (!keys_match(X509_get0_pubkey(certs.front()), key->get())) {
    return Error(Errc::ca_files, paths.key() + ": not the key of " + paths.certificate());
  }
  auto text = util::read_file(paths.serial(), 128);
  if (!text) return Error(Errc::ca_files, text.error().message());
  std::string digits;
  for (const char c : *text)
    if (c != '\n' && c != '\r' && c != ' ') digits += c;
  bool ok = !digits.empty() && digits.size() <= 16;
  for (const char c : digits)
    ok = ok && std::isxdigit(static_cast<unsigned char>(c));
  const std::uint64_t serial = ok ? std::strtoull(digits.c_str(), nullptr, 16) : 0;
  if (!ok || serial == 0 || serial >= 0x7FFFFFFFFFFFFFFFull) {
    return Error(Errc::ca_files, paths.serial() + ": not a serial number (hex digits expected)");
  }
  auto signed_cert = sign_request(request, certs.front(), key->get(), serial, days, now);
  if (!signed_cert) return signed_cert.error();
  const std::string next = paths.serial() + ".new";
  if (auto r = write_file(next, hex(serial + 1), FileMode::public_data, true); !r) return r.error();
  if (std::rename(next.c_str(), paths.serial().c_str()) != 0) {
    return Error(Errc::write_failed, paths.serial() + ": " + std::strerror(errno));
  }
  return signed_cert;
}

}  // namespace rcc::pki
