#include "pki/inspect.h"

#include <arpa/inet.h>

#include <openssl/objects.h>

#include <ctime>

#include "pki/fingerprint.h"

namespace rcc::pki {
namespace {

std::string asn1_utf8(const ASN1_STRING* s) {
  unsigned char* utf8 = nullptr;
  const int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) {
    util::clear_openssl_errors();
    return {};
  }
  util::OpenSslBytes owned(utf8);
  return std::string(reinterpret_cast<const char*>(utf8), std::size_t(n));
}

std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
  return s;
}

std::vector<San> sans_of(const GENERAL_NAMES* names) {
  std::vector<San> out;
  if (names == nullptr) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
    int type = 0;
    const void* value = GENERAL_NAME_get0_value(gn, &type);
    const auto* s = static_cast<const ASN1_STRING*>(value);
    switch (type) {
      case GEN_DNS:
        out.push_back({"DNS", asn1_utf8(s)});
        break;
      case GEN_EMAIL:
        out.push_back({"email", asn1_utf8(s)});
        break;
      case GEN_URI:
        out.push_back({"URI", asn1_utf8(s)});
        break;
      case GEN_IPADD: {
        char buf[INET6_ADDRSTRLEN] = {};
        const int len = ASN1_STRING_length(s);
        const unsigned char* data = ASN1_STRING_get0_data(s);
        if (len == 4) {
          inet_ntop(AF_INET, data, buf, sizeof buf);
        } else if (len == 16) {
          inet_ntop(AF_INET6, data, buf, sizeof buf);
        } else {
          std::snprintf(buf, sizeof buf, "(%d bytes)", len);
        }
        out.push_back({"IP", buf});
        break;
      }
      default:
        out.push_back({"other", "name of type " + std::to_string(type)});
        break;
    }
  }
  return out;
}

std::vector<Eku> ekus_of(const EXTENDED_KEY_USAGE* eku) {
  std::vector<Eku> out;
  if (eku == nullptr) return out;
  for (int i = 0; i < sk_ASN1_OBJECT_num(eku); ++i) {
    const ASN1_OBJECT* obj = sk_ASN1_OBJECT_value(eku, i);
    char oid[128] = {};
    OBJ_obj2txt(oid, sizeof oid, obj, 1);
    const int nid = OBJ_obj2nid(obj);
    const char* sn = nid == NID_undef ? nullptr : OBJ_nid2sn(nid);
    out.push_back({oid, sn != nullptr ? sn : oid});
  }
  return out;
}

std::vector<std::string> key_usage_of(const ASN1_BIT_STRING* bits) {
  // RFC 5280 §4.2.1.3, bit order.
  static const char* const kNames[] = {"digitalSignature", "nonRepudiation", "keyEncipherment",
                                       "dataEncipherment", "keyAgreement",   "keyCertSign",
                                       "cRLSign",          "encipherOnly",   "decipherOnly"};
  std::vector<std::string> out;
  if (bits == nullptr) return out;
  for (int i = 0; i < 9; ++i)
    if (ASN1_BIT_STRING_get_bit(bits, i)) out.push_back(kNames[i]);
  return out;
}

std::int64_t unix_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    util::clear_openssl_errors();
    return 0;
  }
  return std::int64_t(timegm(&tm));
}

template <class T, class F>
std::string der_of(const T* object, F i2d) {
  unsigned char* der = nullptr;
  const int n = i2d(object, &der);
  if (n <= 0) {
    util::clear_openssl_errors();
    return {};
  }
  util::OpenSslBytes owned(der);
  return std::string(reinterpret_cast<const char*>(der), std::size_t(n));
}

std::string signature_digest(int signature_nid) {
  int md = NID_undef, pk = NID_undef;
  if (OBJ_find_sigid_algs(signature_nid, &md, &pk) != 1 || md == NID_undef) return {};
  const char* sn = OBJ_nid2sn(md);
  return sn != nullptr ? sn : "";
}

const char* long_name(int nid) {
  const char* ln = OBJ_nid2ln(nid);
  return ln != nullptr ? ln : "unknown";
}

}  // namespace

std::string name_text(const X509_NAME* name) {
  util::BioPtr bio(BIO_new(BIO_s_mem()));
  // RFC 2253 order and escaping, but UTF-8 kept as it is (not \XX escaped).
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return util::bio_contents(bio.get());
}

std::string common_name(const X509_NAME* name) {
  int last = -1;
  for (int i = -1; (i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) >= 0;)
    last = i;
  if (last < 0) return {};
  return asn1_utf8(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
}

bool dns_name_matches(const std::string& pattern, const std::string& host) {
  const std::string p = lower(pattern), h = lower(host);
  if (p.size() > 2 && p[0] == '*' && p[1] == '.') {
    const auto dot = h.find('.');
    return dot != std::string::npos && dot > 0 && h.substr(dot + 1) == p.substr(2);
  }
  return !p.empty() && p == h;
}

std::string eku_text(const Eku& eku) {
  return eku.name == eku.oid ? eku.oid : eku.name + " (" + eku.oid + ")";
}

std::string iso8601(std::int64_t t) {
  const std::time_t tt = std::time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

CertificateInfo inspect(const X509* cert) {
  CertificateInfo info;
  info.version = int(X509_get_version(cert)) + 1;
  info.subject = name_text(X509_get_subject_name(cert));
  info.issuer = name_text(X509_get_issuer_name(cert));
  info.common_name = common_name(X509_get_subject_name(cert));
  info.self_issued = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
  if (util::BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)); bn) {
    std::string raw(std::size_t(BN_num_bytes(bn.get())), '\0');
    BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(raw.data()));
    info.serial = raw.empty() ? "00" : colon_hex(raw);
  }
  info.not_before_unix = unix_time(X509_get0_notBefore(cert));
  info.not_after_unix = unix_time(X509_get0_notAfter(cert));
  info.not_before = iso8601(info.not_before_unix);
  info.not_after = iso8601(info.not_after_unix);
  util::GeneralNamesPtr sans(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  info.sans = sans_of(sans.get());
  util::ExtendedKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509_get_ext_d2i(cert, NID_ext_key_usage, nullptr, nullptr)));
  info.has_eku = eku != nullptr;
  info.ekus = ekus_of(eku.get());
  util::Asn1BitStringPtr usage(
      static_cast<ASN1_BIT_STRING*>(X509_get_ext_d2i(cert, NID_key_usage, nullptr, nullptr)));
  info.key_usage = key_usage_of(usage.get());
  util::BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(cert, NID_basic_constraints, nullptr, nullptr)));
  if (bc) info.ca = bc->ca != 0;
  info.key = describe_key(X509_get0_pubkey(cert));
  // The SubjectPublicKeyInfo as the certificate holds it: the same bytes i2d_PUBKEY would make,
  // without a round trip through OpenSSL 3's encoder framework (a quarter of a check's time).
  info.public_key_sha256 = sha256_hex(der_of(X509_get_X509_PUBKEY(cert), i2d_X509_PUBKEY));
  const int sig = X509_get_signature_nid(cert);
  info.signature_algorithm = long_name(sig);
  info.signature_digest = signature_digest(sig);
  const std::string der = der_of(cert, i2d_X509);
  info.sha1 = sha1_hex(der);
  info.sha256 = sha256_hex(der);
  util::clear_openssl_errors();
  return info;
}

RequestInfo inspect(const X509_REQ* creq) {
  // OpenSSL 3.0 takes these request accessors by non-const pointer; none of them modifies it.
  auto* req = const_cast<X509_REQ*>(creq);
  RequestInfo info;
  info.subject = name_text(X509_REQ_get_subject_name(req));
  info.common_name = common_name(X509_REQ_get_subject_name(req));
  util::X509ExtensionStackPtr exts(X509_REQ_get_extensions(req));
  util::GeneralNamesPtr sans(static_cast<GENERAL_NAMES*>(
      X509V3_get_d2i(exts.get(), NID_subject_alt_name, nullptr, nullptr)));
  info.sans = sans_of(sans.get());
  util::ExtendedKeyUsagePtr eku(static_cast<EXTENDED_KEY_USAGE*>(
      X509V3_get_d2i(exts.get(), NID_ext_key_usage, nullptr, nullptr)));
  info.has_eku = eku != nullptr;
  info.ekus = ekus_of(eku.get());
  util::Asn1BitStringPtr usage(
      static_cast<ASN1_BIT_STRING*>(X509V3_get_d2i(exts.get(), NID_key_usage, nullptr, nullptr)));
  info.key_usage = key_usage_of(usage.get());
  EVP_PKEY* key = X509_REQ_get0_pubkey(req);
  info.key = describe_key(key);
  if (key != nullptr) {
    info.public_key_sha256 = sha256_hex(der_of(X509_REQ_get_X509_PUBKEY(req), i2d_X509_PUBKEY));
    info.signature_valid = X509_REQ_verify(req, key) == 1;
  }
  info.signature_algorithm = long_name(X509_REQ_get_signature_nid(req));
  info.sha256 = sha256_hex(der_of(creq, i2d_X509_REQ));
  util::clear_openssl_errors();
  return info;
}

KeyInfo inspect(const EVP_PKEY* key, bool private_key) {
  KeyInfo info;
  info.key = describe_key(key);
  info.private_key = private_key;
  info.public_key_sha256 = public_key_sha256(key);
  return info;
}

}  // namespace rcc::pki
