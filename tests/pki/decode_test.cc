#include "pki/decode.h"

#include <openssl/pem.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "pki/csr.h"
#include "pki/encode.h"
#include "pki/key.h"
#include "pki/pki_helpers.h"

namespace util = rcc::util;
using namespace rcc::pki;

namespace {

std::string base64(const std::string& der, std::size_t width, const char* eol) {
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string flat;
  std::size_t i = 0;
  for (; i + 2 < der.size(); i += 3) {
    const unsigned v = unsigned(static_cast<unsigned char>(der[i])) << 16 |
                       unsigned(static_cast<unsigned char>(der[i + 1])) << 8 |
                       static_cast<unsigned char>(der[i + 2]);
    for (int k = 3; k >= 0; --k)
      flat += kAlphabet[(v >> (6 * k)) & 63];
  }
  if (i < der.size()) {
    unsigned v = unsigned(static_cast<unsigned char>(der[i])) << 16;
    if (i + 1 < der.size()) v |= unsigned(static_cast<unsigned char>(der[i + 1])) << 8;
    flat += kAlphabet[(v >> 18) & 63];
    flat += kAlphabet[(v >> 12) & 63];
    flat += i + 1 < der.size() ? kAlphabet[(v >> 6) & 63] : '=';
    flat += '=';
  }
  std::string out;
  for (std::size_t p = 0; p < flat.size(); p += width)
    out += flat.substr(p, width) + eol;
  return out;
}

std::string pkcs7_der(const std::vector<X509*>& certs) {
  util::Pkcs7Ptr p7(PKCS7_new());
  PKCS7_set_type(p7.get(), NID_pkcs7_signed);
  PKCS7_content_new(p7.get(), NID_pkcs7_data);
  for (X509* c : certs)
    PKCS7_add_certificate(p7.get(), c);
  unsigned char* der = nullptr;
  const int n = i2d_PKCS7(p7.get(), &der);
  util::OpenSslBytes owned(der);
  return std::string(reinterpret_cast<const char*>(der), std::size_t(n));
}

struct Fixture {
  util::X509Ptr root = [] {
    test::CertSpec s;
    s.cn = "Test Root";
    s.ca = true;
    s.san = "";
    s.eku = "";
    s.key = test::other_ec_key();
    return test::make_cert(s);
  }();
  util::X509Ptr leaf = [this] {
    test::CertSpec s;
    s.issuer = root.get();
    s.issuer_key = test::other_ec_key();
    return test::make_cert(s);
  }();
};

}  // namespace

TEST_CASE("a PEM certificate decodes with its line", "[pki][decode]") {
  Fixture f;
  auto d = decode("text before\n" + to_pem(f.leaf.get()) + "text after\n", "gw.pem");
  REQUIRE(d);
  CHECK(d->encoding == Encoding::pem);
  REQUIRE(d->objects.size() == 1);
  CHECK(d->objects[0].kind == Kind::certificate);
  CHECK(d->objects[0].line == 2);
  CHECK(X509_cmp(d->objects[0].certificate.get(), f.leaf.get()) == 0);
}

TEST_CASE("a PEM bundle with CRLF line ends gives every object in order", "[pki][decode]") {
  Fixture f;
  std::string text = to_pem(f.leaf.get()) + to_pem(f.root.get()) + private_key_pem(test::ec_key()) +
                     public_key_pem(test::ec_key());
  std::string crlf;
  for (const char c : text)
    crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
  auto d = decode(crlf);
  REQUIRE(d);
  REQUIRE(d->objects.size() == 4);
  CHECK(d->objects[0].kind == Kind::certificate);
  CHECK(d->objects[1].kind == Kind::certificate);
  CHECK(d->objects[2].kind == Kind::private_key);
  CHECK(d->objects[3].kind == Kind::public_key);
  CHECK(d->certificates().size() == 2);
  CHECK(keys_match(d->objects[2].key.get(), test::ec_key()));
}

TEST_CASE("DER, and DER objects back to back, decode", "[pki][decode]") {
  Fixture f;
  auto one = decode(to_der(f.leaf.get()));
  REQUIRE(one);
  CHECK(one->encoding == Encoding::der);
  CHECK(one->objects.size() == 1);
  auto two = decode(to_der(f.leaf.get()) + to_der(f.root.get()) + "\r\n");
  REQUIRE(two);
  CHECK(two->certificates().size() == 2);
}

TEST_CASE("base64 without armour, as a Windows CA gives it, decodes", "[pki][decode]") {
  Fixture f;
  auto d = decode(base64(to_der(f.leaf.get()), 76, "\r\n"));
  REQUIRE(d);
  CHECK(d->encoding == Encoding::base64);
  REQUIRE(d->objects.size() == 1);
  CHECK(X509_cmp(d->objects[0].certificate.get(), f.leaf.get()) == 0);
}

TEST_CASE("a PKCS#7 chain gives its certificates in DER, PEM and base64", "[pki][decode]") {
  Fixture f;
  const std::string der = pkcs7_der({f.root.get(), f.leaf.get()});
  const std::string pem =
      "-----BEGIN PKCS7-----\n" + base64(der, 64, "\n") + "-----END PKCS7-----\n";
  for (const auto& input : {der, pem, base64(der, 64, "\r\n")}) {
    auto d = decode(input);
    REQUIRE(d);
    CHECK(d->pkcs7);
    REQUIRE(d->objects.size() == 2);
    CHECK(d->objects[0].from_pkcs7);
    CHECK(X509_cmp(d->objects[1].certificate.get(), f.leaf.get()) == 0);
  }
}

TEST_CASE("requests decode from PEM and DER", "[pki][decode]") {
  RequestOptions o;
  o.subject.cn = "gw.example.com";
  auto req = build_request(test::ec_key(), o);
  REQUIRE(req);
  for (const auto& input : {to_pem(req->get()), to_der(req->get())}) {
    auto d = decode(input);
    REQUIRE(d);
    REQUIRE(d->objects.size() == 1);
    CHECK(d->objects[0].kind == Kind::request);
  }
}

TEST_CASE("EC PARAMETERS before a traditional EC key are skipped", "[pki][decode]") {
  util::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey_traditional(bio.get(), test::ec_key(), nullptr, nullptr, 0, nullptr,
                                       nullptr);
  const std::string text =
      "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n"
      "-----END EC PARAMETERS-----\n" +
      util::bio_contents(bio.get());
  auto d = decode(text);
  REQUIRE(d);
  REQUIRE(d->objects.size() == 1);
  CHECK(d->objects[0].kind == Kind::private_key);
}

// One certificate for every cut (ECDSA signatures vary in length from one certificate to the
// next, so the cuts cannot be GENERATEd across runs).
TEST_CASE("DER cut at any byte is reported as truncated", "[pki][decode]") {
  Fixture f;
  const std::string der = to_der(f.leaf.get());
  for (std::size_t cut = 1; cut < der.size(); ++cut) {
    INFO("cut at " << cut << " of " << der.size());
    auto d = decode(der.substr(0, cut), "cut.der");
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == Errc::truncated);
    CHECK_THAT(d.error().message(), Catch::StartsWith("cut.der: DER "));
  }
}

TEST_CASE("PEM cut inside a block is an error, never a crash", "[pki][decode]") {
  Fixture f;
  const std::string pem = to_pem(f.leaf.get());
  const auto end_line = pem.find("-----END");
  for (std::size_t cut = 28; cut < end_line + 20; ++cut) {
    INFO("cut at " << cut);
    auto d = decode(pem.substr(0, cut), "cut.pem");
    REQUIRE_FALSE(d);
    CHECK((d.error().code() == Errc::truncated || d.error().code() == Errc::not_recognized));
  }
}

TEST_CASE("hostile and damaged inputs give the right error", "[pki][decode]") {
  const std::string good_pem = to_pem(test::make_cert({}).get());
  const auto [input, code, message] = GENERATE_COPY(table<std::string, Errc, std::string>({
      {"", Errc::not_recognized, "in.pem: empty"},
      {" \r\n", Errc::not_recognized, "in.pem: empty"},
      {"hello, world", Errc::not_recognized,
       "in.pem: neither PEM, DER nor base64: not a certificate, request, PKCS#7 chain or key"},
      {"TUlJQm9vb29v\n", Errc::not_recognized,
       "in.pem: decoded base64 does not start with a SEQUENCE (first byte 0x4D): not a "
       "certificate, request, PKCS#7 chain or key"},
      {"MIIBa", Errc::bad_base64, "in.pem: base64 text that does not decode (cut or damaged?)"},
      {"-----BEGIN CERTIFICATE-----\nMIIB%%%\n-----END CERTIFICATE-----\n", Errc::bad_base64,
       "in.pem:1: the PEM block 'CERTIFICATE' is not valid base64"},
      {"x\n-----BEGIN CERTIFICATE-----\nMIIB\n", Errc::truncated,
       "in.pem:2: the PEM block 'CERTIFICATE' has no END line (file cut short?)"},
      {"-----BEGIN CERTIFICATE-----\nMIIB\n-----END PKCS7-----\n", Errc::not_recognized,
       "in.pem:3: END line does not match 'BEGIN CERTIFICATE' at line 1"},
      {"-----BEGIN X509 CRL-----\nMAA=\n-----END X509 CRL-----\n", Errc::not_recognized,
       "in.pem:1: a PEM block 'X509 CRL', not a certificate, request, PKCS#7 chain or key"},
      {"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", Errc::not_recognized,
       "in.pem:1: the PEM block 'CERTIFICATE' does not hold a valid certificate"},
      {"-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n",
       Errc::encrypted_key,
       "in.pem:1: an encrypted private key: decrypt it first (openssl pkey -in KEY -out "
       "PLAIN.key) and keep the result mode 0600"},
      {"-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nMAA="
       "\n-----END RSA PRIVATE KEY-----\n",
       Errc::encrypted_key,
       "in.pem:2: an encrypted private key: decrypt it first (openssl pkey -in KEY -out "
       "PLAIN.key) and keep the result mode 0600"},
      {std::string("\x30\x84\xff\xff\xff\xff", 6), Errc::truncated,
       "in.pem: DER is truncated: its header announces 4294967301 bytes, only 6 are there"},
      {std::string("\x30\x03\x02\x01\x00", 5), Errc::not_recognized,
       "in.pem: a DER structure of 5 bytes that is not a certificate, request, PKCS#7 chain or "
       "key"},
      {good_pem.substr(0, good_pem.size() - 5), Errc::not_recognized, ""},
  }));
  auto d = decode(input, "in.pem");
  REQUIRE_FALSE(d);
  CHECK(d.error().code() == code);
  if (!message.empty()) CHECK(d.error().message() == message);
}

TEST_CASE("inputs above the limits are refused before decoding", "[pki][decode]") {
  Limits limits;
  limits.max_bytes = 1000;
  auto big = decode(std::string(1001, 'A'), "big.pem", limits);
  REQUIRE_FALSE(big);
  CHECK(big.error().code() == Errc::too_large);
  CHECK(big.error().message() ==
        "big.pem: 1001 bytes, more than the 1000-byte limit (a certificate chain is a few KB: is "
        "this the right file?)");

  const std::string pem = to_pem(test::make_cert({}).get());
  std::string many;
  for (int i = 0; i < 33; ++i)
    many += pem;
  auto d = decode(many, "many.pem");
  REQUIRE_FALSE(d);
  CHECK(d.error().code() == Errc::too_many_objects);
  const auto lines = std::count(pem.begin(), pem.end(), '\n');
  CHECK(d.error().message() ==
        "many.pem:" + std::to_string(32 * lines + 1) + ": more than 32 PEM blocks");
}

TEST_CASE("an encrypted PKCS#8 key in DER is named as such", "[pki][decode]") {
  util::BioPtr bio(BIO_new(BIO_s_mem()));
  REQUIRE(i2d_PKCS8PrivateKey_bio(bio.get(), test::ec_key(), EVP_aes_128_cbc(), nullptr, 0, nullptr,
                                  const_cast<char*>("secret")) == 1);
  auto d = decode(util::bio_contents(bio.get()));
  REQUIRE_FALSE(d);
  CHECK(d.error().code() == Errc::encrypted_key);
}

TEST_CASE("a PKCS#12 file is named, with how to extract from it", "[pki][decode]") {
  util::X509Ptr cert = test::make_cert({});
  util::Pkcs12Ptr p12(
      PKCS12_create("secret", "gw", test::ec_key(), cert.get(), nullptr, 0, 0, 0, 0, 0));
  REQUIRE(p12);
  unsigned char* der = nullptr;
  const int n = i2d_PKCS12(p12.get(), &der);
  util::OpenSslBytes owned(der);
  auto d = decode(std::string(reinterpret_cast<const char*>(der), std::size_t(n)), "gw.pfx");
  REQUIRE_FALSE(d);
  CHECK(d.error().code() == Errc::not_recognized);
  CHECK_THAT(d.error().message(), Catch::StartsWith("gw.pfx: a PKCS#12 (.pfx/.p12) file: extract"));
}

TEST_CASE("load names the file and refuses a large one by its size", "[pki][decode]") {
  test::TempDir dir;
  auto missing = load(dir.file("nope.pem"));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == rcc::Errc::file_not_found);
  const auto big = dir.file("big.pem");
  test::write(big, std::string(1u << 20, 'A'));
  auto d = load(big);
  REQUIRE_FALSE(d);
  CHECK(d.error().code() == Errc::too_large);
  CHECK_THAT(d.error().message(), Catch::StartsWith(big + ": 1048576 bytes, more than the"));
}

TEST_CASE("base64 decoding is strict about its alphabet and padding", "[pki][decode]") {
  std::string out;
  CHECK(base64_decode("TWFu", out));
  CHECK(out == "Man");
  CHECK(base64_decode("TW E=\r\n", out));
  CHECK(out == "Ma");
  CHECK(base64_decode("TQ", out));  // missing padding is tolerated
  CHECK(out == "M");
  CHECK_FALSE(base64_decode("T", out));
  CHECK_FALSE(base64_decode("TQ==TQ==", out));
  CHECK_FALSE(base64_decode("TQ===", out));
  CHECK_FALSE(base64_decode("T-Q=", out));
}
