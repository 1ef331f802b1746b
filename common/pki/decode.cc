#include "pki/decode.h"

#include <sys/stat.h>

#include <openssl/pkcs7.h>
#include <openssl/x509.h>

#include <cstdio>
#include <optional>

#include "util/file.h"

namespace rcc::pki {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";
constexpr const char* kEncryptedKey =
    "an encrypted private key: decrypt it first (openssl pkey -in KEY -out PLAIN.key) and keep "
    "the result mode 0600";

Error error_at(Errc code, const std::string& name, int line, std::string detail) {
  SourceLocation where;
  where.file = name.empty() ? "input" : name;
  where.line = line;
  return Error(code, std::move(detail), std::move(where));
}

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool looks_like_base64(std::string_view data) {
  bool any = false;
  for (const char c : data) {
    if (is_space(c) || c == '=') continue;
    if (base64_value(c) < 0) return false;
    any = true;
  }
  return any;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && is_space(s.back()))
    s.remove_suffix(1);
  return s;
}

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Sets `out` to the certificates of a signed PKCS#7 (a .p7b "certs-only" chain, RFC 2315 §9.1).
Result<void> pkcs7_certificates(PKCS7* p7, const Limits& limits, std::vector<Object>& out,
                                const std::string& name, int line) {
  STACK_OF(X509)* certs = nullptr;
  if (PKCS7_type_is_signed(p7) && p7->d.sign != nullptr) {
    certs = p7->d.sign->cert;
  } else if (PKCS7_type_is_signedAndEnveloped(p7) && p7->d.signed_and_enveloped != nullptr) {
    certs = p7->d.signed_and_enveloped->cert;
  } else {
    return error_at(Errc::not_recognized, name, line,
                    "a PKCS#7 structure that is not a signed certificate chain (.p7b)");
  }
  const int n = certs == nullptr ? 0 : sk_X509_num(certs);
  if (n == 0)
    return error_at(Errc::not_recognized, name, line, "a PKCS#7 chain with no certificates");
  if (std::size_t(n) > limits.max_objects - std::min(limits.max_objects, out.size())) {
    return error_at(Errc::too_many_objects, name, line,
                    "more than " + std::to_string(limits.max_objects) + " certificates");
  }
  for (int i = 0; i < n; ++i) {
    X509* cert = sk_X509_value(certs, i);
    X509_up_ref(cert);
    Object object;
    object.kind = Kind::certificate;
    object.from_pkcs7 = true;
    object.line = line;
    object.certificate.reset(cert);
    out.push_back(std::move(object));
  }
  return {};
}

// Decodes exactly `der` as one object of any kind we know; a d2i function that leaves bytes
// unread does not count as a match.
Result<void> decode_der_object(std::string_view der, const Limits& limits, Decoded& decoded,
                               const std::string& name, int line) {
  const long len = long(der.size());
  const unsigned char* const begin = bytes(der);
  const unsigned char* const end = begin + der.size();
  Object object;
  object.line = line;
  auto push = [&]() -> Result<void> {
    util::clear_openssl_errors();
    if (decoded.objects.size() >= limits.max_objects) {
      return error_at(Errc::too_many_objects, name, line,
                      "more than " + std::to_string(limits.max_objects) + " objects");
    }
    decoded.objects.push_back(std::move(object));
    return {};
  };
  const unsigned char* p = begin;
  if (util::X509Ptr cert(d2i_X509(nullptr, &p, len)); cert && p == end) {
    object.kind = Kind::certificate;
    object.certificate = std::move(cert);
    return push();
  }
  p = begin;
  if (util::X509ReqPtr req(d2i_X509_REQ(nullptr, &p, len)); req && p == end) {
    object.kind = Kind::request;
    object.request = std::move(req);
    return push();
  }
  p = begin;
  if (util::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, len)); p7 && p == end) {
    util::clear_openssl_errors();
    decoded.pkcs7 = true;
    return pkcs7_certificates(p7.get(), limits, decoded.objects, name, line);
  }
  p = begin;
  if (X509_SIG* sig = d2i_X509_SIG(nullptr, &p, len); sig != nullptr) {
    // PKCS#8 EncryptedPrivateKeyInfo (RFC 5208 §6) has the same shape as X509_SIG.
    X509_SIG_free(sig);
    if (p == end) {
      util::clear_openssl_errors();
      return error_at(Errc::encrypted_key, name, line, kEncryptedKey);
    }
  }
  p = begin;
  if (util::EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, len)); key && p == end) {
    object.kind = Kind::private_key;
    object.key = std::move(key);
    return push();
  }
  p = begin;
  if (util::EvpPkeyPtr pub(d2i_PUBKEY(nullptr, &p, len)); pub && p == end) {
    object.kind = Kind::public_key;
    object.key = std::move(pub);
    return push();
  }
  p = begin;
  if (util::Pkcs12Ptr p12(d2i_PKCS12(nullptr, &p, len)); p12 && p == end) {
    // Windows exports certificate and key together as .pfx; its passphrase is not asked for here.
    util::clear_openssl_errors();
    return error_at(Errc::not_recognized, name, line,
                    "a PKCS#12 (.pfx/.p12) file: extract its certificate and key first (openssl "
                    "pkcs12 -in FILE -nodes -out FILE.pem), keep the result mode 0600");
  }
  util::clear_openssl_errors();
  return error_at(Errc::not_recognized, name, line,
                  "a DER structure of " + std::to_string(der.size()) +
                      " bytes that is not a certificate, request, PKCS#7 chain or key");
}

// DER objects back to back. Each must be a SEQUENCE (X.690 §8.9) with a definite length that
// fits in what is there: a cut file is reported as truncated, not as garbage.
Result<void> decode_der_sequence(std::string_view data, const Limits& limits, Decoded& decoded,
                                 const std::string& name) {
  const std::string what = decoded.encoding == Encoding::base64 ? "decoded base64" : "DER";
  while (!data.empty()) {
    const auto tag = static_cast<unsigned char>(data[0]);
    if (tag != 0x30) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02X", unsigned(tag));
      return error_at(Errc::not_recognized, name, 0,
                      what + " does not start with a SEQUENCE (first byte " + buf +
                          "): not a certificate, request, PKCS#7 chain or key");
    }
    if (data.size() < 2) return error_at(Errc::truncated, name, 0, what + " cut after 1 byte");
    const auto first = static_cast<unsigned char>(data[1]);
    std::size_t header = 2, length = 0;
    if (first < 0x80) {
      length = first;
    } else if (first == 0x80) {
      // BER indefinite length (some PKCS#7 writers): let OpenSSL find the end; must be last.
      header = 0;
      length = data.size();
    } else {
      const std::size_t n = first & 0x7F;
      if (n > 4) return error_at(Errc::not_recognized, name, 0, what + ": absurd length field");
      if (data.size() < 2 + n)
        return error_at(Errc::truncated, name, 0, what + " cut in its header");
      for (std::size_t i = 0; i < n; ++i)
        length = (length << 8) | static_cast<unsigned char>(data[2 + i]);
      header = 2 + n;
    }
    if (length > data.size() - header) {
      return error_at(Errc::truncated, name, 0,
                      what + " is truncated: its header announces " +
                          std::to_string(header + length) + " bytes, only " +
                          std::to_string(data.size()) + " are there");
    }
    auto r = decode_der_object(data.substr(0, header + length), limits, decoded, name, 0);
    if (!r) return r.error();
    data.remove_prefix(header + length);
    // Tolerate trailing line ends and NULs (copied and padded files), nothing else.
    std::size_t k = 0;
    while (k < data.size() && (is_space(data[k]) || data[k] == '\0'))
      ++k;
    if (k == data.size()) break;
  }
  return {};
}

Result<void> decode_pem_block(std::string_view label, std::string_view der, const Limits& limits,
                              Decoded& decoded, const std::string& name, int line) {
  const long len = long(der.size());
  const unsigned char* p = bytes(der);
  const unsigned char* const end = p + der.size();
  Object object;
  object.line = line;
  auto not_this = [&](const char* kind) {
    util::clear_openssl_errors();
    return error_at(Errc::not_recognized, name, line,
                    "the PEM block '" + std::string(label) + "' does not hold a valid " + kind);
  };
  if (label == "CERTIFICATE" || label == "X509 CERTIFICATE" || label == "TRUSTED CERTIFICATE") {
    util::X509Ptr cert(label == "TRUSTED CERTIFICATE" ? d2i_X509_AUX(nullptr, &p, len)
                                                      : d2i_X509(nullptr, &p, len));
    if (!cert || p != end) return not_this("certificate");
    object.kind = Kind::certificate;
    object.certificate = std::move(cert);
  } else if (label == "CERTIFICATE REQUEST" || label == "NEW CERTIFICATE REQUEST") {
    util::X509ReqPtr req(d2i_X509_REQ(nullptr, &p, len));
    if (!req || p != end) return not_this("certificate request");
    object.kind = Kind::request;
    object.request = std::move(req);
  } else if (label == "PKCS7" || label == "PKCS #7 SIGNED DATA" || label == "CMS") {
    util::Pkcs7Ptr p7(d2i_PKCS7(nullptr, &p, len));
    if (!p7 || p != end) return not_this("PKCS#7 chain");
    util::clear_openssl_errors();
    decoded.pkcs7 = true;
    return pkcs7_certificates(p7.get(), limits, decoded.objects, name, line);
  } else if (label == "ENCRYPTED PRIVATE KEY") {
    return error_at(Errc::encrypted_key, name, line, kEncryptedKey);
  } else if (label == "PRIVATE KEY" || label == "RSA PRIVATE KEY" || label == "EC PRIVATE KEY") {
    util::EvpPkeyPtr key(d2i_AutoPrivateKey(nullptr, &p, len));
    if (!key) return not_this("private key");
    object.kind = Kind::private_key;
    object.key = std::move(key);
  } else if (label == "PUBLIC KEY") {
    util::EvpPkeyPtr key(d2i_PUBKEY(nullptr, &p, len));
    if (!key || p != end) return not_this("public key");
    object.kind = Kind::public_key;
    object.key = std::move(key);
  } else if (label == "EC PARAMETERS") {
    return {};  // `openssl ecparam -genkey` writes these before the key; they add nothing
  } else {
    return error_at(Errc::not_recognized, name, line,
                    "a PEM block '" + std::string(label) +
                        "', not a certificate, request, PKCS#7 chain or key");
  }
  util::clear_openssl_errors();
  if (decoded.objects.size() >= limits.max_objects) {
    return error_at(Errc::too_many_objects, name, line,
                    "more than " + std::to_string(limits.max_objects) + " objects");
  }
  decoded.objects.push_back(std::move(object));
  return {};
}

// RFC 7468 textual encoding: BEGIN/END lines with the same label, base64 between, optional
// RFC 1421 headers (Proc-Type, DEK-Info: the legacy encrypted key form) before a blank line.
Result<void> decode_pem(std::string_view data, const Limits& limits, Decoded& decoded,
                        const std::string& name) {
  int line_no = 0;
  std::size_t blocks = 0;
  bool inside = false;
  bool in_headers = false;
  std::string label, body;
  int begin_line = 0;
  std::size_t pos = 0;
  while (pos < data.size()) {
    const auto nl = data.find('\n', pos);
    const std::string_view raw =
        data.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? data.size() : nl + 1;
    ++line_no;
    const std::string_view line = trim(raw);
    if (!inside) {
      if (line.substr(0, kBegin.size()) != kBegin || line.size() < kBegin.size() + kDashes.size() ||
          line.substr(line.size() - kDashes.size()) != kDashes) {
        continue;  // text around blocks is allowed
      }
      label = std::string(line.substr(kBegin.size(), line.size() - kBegin.size() - kDashes.size()));
      if (++blocks > limits.max_objects) {
        return error_at(Errc::too_many_objects, name, line_no,
                        "more than " + std::to_string(limits.max_objects) + " PEM blocks");
      }
      inside = true;
      in_headers = true;
      begin_line = line_no;
      body.clear();
      continue;
    }
    if (line.substr(0, 9) == "-----END ") {
      if (line != "-----END " + label + "-----") {
        return error_at(
            Errc::not_recognized, name, line_no,
            "END line does not match 'BEGIN " + label + "' at line " + std::to_string(begin_line));
      }
      std::string der;
      if (!base64_decode(body, der)) {
        return error_at(Errc::bad_base64, name, begin_line,
                        "the PEM block '" + label + "' is not valid base64");
      }
      if (der.empty()) {
        return error_at(Errc::not_recognized, name, begin_line,
                        "the PEM block '" + label + "' is empty");
      }
      auto r = decode_pem_block(label, der, limits, decoded, name, begin_line);
      if (!r) return r.error();
      inside = false;
      continue;
    }
    if (in_headers && line.find(':') != std::string_view::npos) {
      if (line.find("ENCRYPTED") != std::string_view::npos) {
        return error_at(Errc::encrypted_key, name, line_no, kEncryptedKey);
      }
      continue;
    }
    in_headers = false;
    body.append(line);
  }
  if (inside) {
    return error_at(Errc::truncated, name, begin_line,
                    "the PEM block '" + label + "' has no END line (file cut short?)");
  }
  if (decoded.objects.empty()) {
    return error_at(Errc::not_recognized, name, 0,
                    "no certificate, request, PKCS#7 chain or key in the PEM text");
  }
  return {};
}

}  // namespace

const char* encoding_name(Encoding e) {
  switch (e) {
    case Encoding::pem:
      return "PEM";
    case Encoding::der:
      return "DER";
    case Encoding::base64:
      return "base64";
  }
  return "";
}

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::certificate:
      return "certificate";
    case Kind::request:
      return "certificate request";
    case Kind::private_key:
      return "private key";
    case Kind::public_key:
      return "public key";
  }
  return "";
}

std::vector<X509*> Decoded::certificates() const {
  std::vector<X509*> out;
  for (const auto& o : objects)
    if (o.kind == Kind::certificate) out.push_back(o.certificate.get());
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  out.reserve(text.size() / 4 * 3 + 3);
  unsigned buffer = 0;
  int bits = 0;
  std::size_t symbols = 0, padding = 0;
  for (const char c : text) {
    if (is_space(c)) continue;
    if (c == '=') {
      ++padding;
      continue;
    }
    const int v = base64_value(c);
    if (v < 0 || padding > 0) return false;  // padding only at the very end
    ++symbols;
    buffer = (buffer << 6) | unsigned(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += char((buffer >> bits) & 0xFF);
    }
  }
  if (symbols % 4 == 1) return false;  // 6 bits cannot make a byte
  if (padding > 2 || (padding > 0 && (symbols + padding) % 4 != 0)) return false;
  return true;
}

Result<Decoded> decode(std::string_view data, const std::string& name, const Limits& limits) {
  Decoded decoded;
  if (data.size() > limits.max_bytes) {
    return error_at(Errc::too_large, name, 0,
                    std::to_string(data.size()) + " bytes, more than the " +
                        std::to_string(limits.max_bytes) +
                        "-byte limit (a certificate chain is a few KB: is this the right file?)");
  }
  if (trim(data).empty()) return error_at(Errc::not_recognized, name, 0, "empty");
  if (data.find(kBegin) != std::string_view::npos) {
    decoded.encoding = Encoding::pem;
    auto r = decode_pem(data, limits, decoded, name);
    if (!r) return r.error();
    return decoded;
  }
  std::optional<Error> der_error;
  if (static_cast<unsigned char>(data[0]) == 0x30) {
    decoded.encoding = Encoding::der;
    auto r = decode_der_sequence(data, limits, decoded, name);
    if (r) return decoded;
    // '0' is 0x30: base64 text may start like DER. If it is not base64 either, the DER
    // diagnosis (truncated, ...) is the one that helps.
    if (!looks_like_base64(data)) return r.error();
    der_error = r.error();
    decoded = Decoded{};
  }
  if (!looks_like_base64(data)) {
    return error_at(Errc::not_recognized, name, 0,
                    "neither PEM, DER nor base64: not a certificate, request, PKCS#7 chain or key");
  }
  std::string der;
  if (!base64_decode(data, der) || der.empty()) {
    if (der_error) return *der_error;
    return error_at(Errc::bad_base64, name, 0,
                    "base64 text that does not decode (cut or damaged?)");
  }
  decoded.encoding = Encoding::base64;
  auto r = decode_der_sequence(der, limits, decoded, name);
  if (!r) return der_error ? *der_error : r.error();
  return decoded;
}

Result<Decoded> load(const std::string& path, const Limits& limits) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
      std::size_t(st.st_size) > limits.max_bytes) {
    return error_at(Errc::too_large, path, 0,
                    std::to_string(st.st_size) + " bytes, more than the " +
                        std::to_string(limits.max_bytes) +
                        "-byte limit (a certificate chain is a few KB: is this the right file?)");
  }
  auto text = util::read_file(path, limits.max_bytes);
  if (!text) return text.error();
  return decode(*text, path, limits);
}

}  // namespace rcc::pki
