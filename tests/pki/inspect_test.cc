#include "pki/inspect.h"

#include <catch2/catch.hpp>

#include "pki/encode.h"
#include "pki/fingerprint.h"
#include "pki/pki_helpers.h"

namespace util = rcc::util;
using namespace rcc::pki;

TEST_CASE("inspecting a certificate gives its names, usages, key and fingerprints",
          "[pki][inspect]") {
  test::CertSpec spec;
  spec.san = "DNS:gw.example.com,IP:192.0.2.9";
  auto cert = test::make_cert(spec);
  const auto info = inspect(cert.get());
  CHECK(info.version == 3);
  CHECK(info.subject == "CN=gw.example.com");
  CHECK(info.common_name == "gw.example.com");
  CHECK(info.issuer == info.subject);
  CHECK(info.self_issued);
  REQUIRE(info.sans.size() == 2);
  CHECK(info.sans[0].type == "DNS");
  CHECK(info.sans[1].type == "IP");
  CHECK(info.sans[1].value == "192.0.2.9");
  REQUIRE(info.ekus.size() == 2);
  CHECK(eku_text(info.ekus[0]) == "serverAuth (1.3.6.1.5.5.7.3.1)");
  CHECK(eku_text(info.ekus[1]) == "clientAuth (1.3.6.1.5.5.7.3.2)");
  REQUIRE(info.ca);
  CHECK_FALSE(*info.ca);
  CHECK(info.key.text() == "EC P-256");
  CHECK(info.signature_digest == "SHA256");
  CHECK(info.not_after_unix - info.not_before_unix == 365L * 86400 + 3600);
  const std::string der = to_der(cert.get());
  CHECK(info.sha256 == sha256_hex(der));
  CHECK(info.sha1 == sha1_hex(der));
  CHECK(info.sha1.size() == 20 * 3 - 1);
}

TEST_CASE("a v1 certificate has no extensions to show", "[pki][inspect]") {
  test::CertSpec spec;
  spec.v1 = true;
  const auto info = inspect(test::make_cert(spec).get());
  CHECK(info.version == 1);
  CHECK(info.sans.empty());
  CHECK_FALSE(info.has_eku);
  CHECK_FALSE(info.ca.has_value());
}

TEST_CASE("DNS names match exactly or by a one-label wildcard, ignoring case", "[pki][inspect]") {
  CHECK(dns_name_matches("gw.example.com", "GW.Example.COM"));
  CHECK(dns_name_matches("*.example.com", "gw.example.com"));
  CHECK_FALSE(dns_name_matches("*.example.com", "a.gw.example.com"));
  CHECK_FALSE(dns_name_matches("*.example.com", "example.com"));
  CHECK_FALSE(dns_name_matches("gw.example.com", "gw.example.org"));
  CHECK_FALSE(dns_name_matches("", ""));
}

TEST_CASE("fingerprints are colon-separated upper-case hex", "[pki][inspect]") {
  CHECK(colon_hex(std::string("\x01\xAB\xff", 3)) == "01:AB:FF");
  CHECK(sha1_hex("abc") == "A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D");
  CHECK(iso8601(0) == "1970-01-01T00:00:00Z");
}
