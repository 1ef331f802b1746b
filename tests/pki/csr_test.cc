#include "pki/csr.h"

#include <catch2/catch.hpp>

#include "pki/inspect.h"
#include "pki/pki_helpers.h"

namespace util = rcc::util;
using namespace rcc::pki;

namespace {

RequestOptions options(std::string cn, std::vector<std::string> sans = {}) {
  RequestOptions o;
  o.subject.cn = std::move(cn);
  o.sans = std::move(sans);
  return o;
}

std::vector<std::string> san_texts(const std::vector<San>& sans) {
  std::vector<std::string> out;
  for (const auto& s : sans)
    out.push_back(s.type + ":" + s.value);
  return out;
}

}  // namespace

TEST_CASE("a request carries the CN in the SAN and both TLS EKUs", "[pki][csr]") {
  auto req = build_request(test::ec_key(), options("cup.example.com"));
  REQUIRE(req);
  const auto info = inspect(req->get());
  CHECK(info.subject == "CN=cup.example.com");
  CHECK(san_texts(info.sans) == std::vector<std::string>{"DNS:cup.example.com"});
  REQUIRE(info.has_eku);
  REQUIRE(info.ekus.size() == 2);
  CHECK(info.ekus[0].oid == kServerAuthOid);
  CHECK(info.ekus[1].oid == kClientAuthOid);
  // RFC 5480 §3: no keyEncipherment for EC keys.
  CHECK(info.key_usage == std::vector<std::string>{"digitalSignature"});
  CHECK(info.signature_valid);
  CHECK(info.signature_algorithm == "ecdsa-with-SHA256");
  CHECK(info.public_key_sha256 == public_key_sha256(test::ec_key()));
}

TEST_CASE("an RSA request asks for keyEncipherment too", "[pki][csr]") {
  auto req = build_request(test::rsa_key(), options("cup.example.com"));
  REQUIRE(req);
  const auto info = inspect(req->get());
  CHECK(info.key_usage == std::vector<std::string>{"digitalSignature", "keyEncipherment"});
  CHECK(info.key.text() == "RSA 2048");
  CHECK(info.signature_algorithm == "sha256WithRSAEncryption");
  CHECK(info.signature_valid);
}

TEST_CASE("extra SANs follow the CN, duplicates dropped, IP addresses typed", "[pki][csr]") {
  auto req = build_request(
      test::ec_key(), options("cup.example.com", {"CUP.example.com", "pool.example.com",
                                                  "192.0.2.1", "2001:db8::1", "*.example.com"}));
  REQUIRE(req);
  CHECK(san_texts(inspect(req->get()).sans) ==
        std::vector<std::string>{"DNS:cup.example.com", "DNS:pool.example.com", "IP:192.0.2.1",
                                 "IP:2001:db8::1", "DNS:*.example.com"});
}

TEST_CASE("the optional subject fields appear most significant first", "[pki][csr]") {
  auto o = options("cup.example.com");
  o.subject.o = "Example Corp";
  o.subject.ou = "Voice";
  o.subject.l = "Zürich";
  o.subject.st = "ZH";
  o.subject.c = "ch";
  auto req = build_request(test::ec_key(), o);
  REQUIRE(req);
  CHECK(inspect(req->get()).subject ==
        "CN=cup.example.com,OU=Voice,O=Example Corp,L=Zürich,"
        "ST=ZH,C=CH");
}

TEST_CASE("bad subjects and SANs are refused with the reason", "[pki][csr]") {
  const auto [cn, san, country, code,
              text] = GENERATE(table<const char*, const char*, const char*, Errc, const char*>({
      {"", "", "", Errc::bad_name, "the CN (--cn) is required: the gateway's FQDN"},
      {"not a host", "", "", Errc::bad_name, "CN 'not a host' is not a host name"},
      {"gw.example.com", "", "USA", Errc::bad_name, "country 'USA' must be a two-letter"},
      {"gw.example.com", "bad name!", "", Errc::bad_san,
       "subjectAltName 'bad name!' is neither a DNS name nor an IP address"},
      {"gw.example.com", "-x.example.com", "", Errc::bad_san, "subjectAltName '-x.example.com'"},
      {"gw.example.com", "a,DNS:b", "", Errc::bad_san, "subjectAltName 'a,DNS:b'"},
  }));
  auto o = options(cn);
  if (*san) o.sans.push_back(san);
  o.subject.c = country;
  auto req = build_request(test::ec_key(), o);
  REQUIRE_FALSE(req);
  CHECK(req.error().code() == code);
  CHECK_THAT(req.error().message(), Catch::StartsWith(text));
}

TEST_CASE("a CN longer than 64 characters is refused (RFC 5280 ub-common-name)", "[pki][csr]") {
  const std::string cn = std::string(60, 'a') + ".example.com";
  auto req = build_request(test::ec_key(), options(cn));
  REQUIRE_FALSE(req);
  CHECK(req.error().code() == Errc::bad_name);
  CHECK_THAT(req.error().message(), Catch::Contains("longer than 64 characters"));
}

TEST_CASE("a key OCS/Lync cannot use is refused before anything is signed", "[pki][csr]") {
  util::EvpPkeyPtr ed(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  REQUIRE(ed);
  auto req = build_request(ed.get(), options("gw.example.com"));
  REQUIRE_FALSE(req);
  CHECK(req.error().code() == Errc::unsupported_key);
  CHECK_THAT(req.error().message(), Catch::StartsWith("a ED25519 256 key cannot be"));
}

TEST_CASE("DNS name syntax follows RFC 1123 labels", "[pki][csr]") {
  CHECK(valid_dns_name("gw.example.com", false));
  CHECK(valid_dns_name("gw-1.example.com", false));
  CHECK(valid_dns_name("localhost", false));
  CHECK(valid_dns_name("*.example.com", true));
  CHECK_FALSE(valid_dns_name("*.example.com", false));
  CHECK_FALSE(valid_dns_name("gw..example.com", false));
  CHECK_FALSE(valid_dns_name("gw.example.com.", false));
  CHECK_FALSE(valid_dns_name("gw_1.example.com", false));
  CHECK_FALSE(valid_dns_name(std::string(64, 'a') + ".com", false));
  CHECK_FALSE(valid_dns_name("", false));
  CHECK(is_ip_address("10.0.0.1"));
  CHECK(is_ip_address("::1"));
  CHECK_FALSE(is_ip_address("10.0.0"));
}
