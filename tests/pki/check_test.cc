#include "pki/check.h"

#include <ctime>
#include <map>

#include <catch2/catch.hpp>

#include "pki/pki_helpers.h"

namespace util = rcc::util;
using namespace rcc::pki;

namespace {

// A root, an intermediate and a leaf, each with its own key where it matters.
struct Chain {
  util::X509Ptr root = [] {
    test::CertSpec s;
    s.cn = "Test Root";
    s.ca = true;
    s.san = s.eku = "";
    s.key = test::other_ec_key();
    return test::make_cert(s);
  }();
  util::X509Ptr intermediate = [this] {
    test::CertSpec s;
    s.cn = "Test Intermediate";
    s.ca = true;
    s.san = s.eku = "";
    s.key = test::other_ec_key();  // a key may be reused; the names make the chain
    s.issuer = root.get();
    s.issuer_key = test::other_ec_key();
    return test::make_cert(s);
  }();

  util::X509Ptr leaf(test::CertSpec s = {}) const {
    s.issuer = intermediate.get();
    s.issuer_key = test::other_ec_key();
    return test::make_cert(s);
  }

  CheckInput input(const X509* cert) const {
    CheckInput in;
    in.certificate = cert;
    in.key = test::ec_key();
    in.key_name = "gw.key";
    in.untrusted = {intermediate.get()};
    in.trusted = {root.get()};
    in.fqdn = "gw.example.com";
    in.now = std::time(nullptr);
    return in;
  }
};

std::map<std::string, Finding> by_check(const std::vector<Finding>& findings) {
  std::map<std::string, Finding> out;
  for (const auto& f : findings)
    out[f.check] = f;
  return out;
}

std::vector<std::string> failed(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings)
    if (f.status == Status::fail) out.push_back(f.check);
  return out;
}

}  // namespace

TEST_CASE("a right certificate, key and chain pass every check", "[pki][check]") {
  Chain c;
  auto leaf = c.leaf();
  const auto findings = run_checks(c.input(leaf.get()));
  REQUIRE(findings.size() == 9);
  for (const auto& f : findings) {
    INFO(f.check << ": " << f.reason);
    CHECK(f.status == Status::pass);
    CHECK(f.fix.empty());
  }
  CHECK(overall(findings) == Status::pass);
  CHECK(by_check(findings)["chain"].reason ==
        "chain 'gw.example.com' <- 'Test Intermediate' <- 'Test Root' verifies to a root in "
        "--trust");
}

TEST_CASE("a wrong CN fails the CN and SAN checks with the new-request fix", "[pki][check]") {
  Chain c;
  test::CertSpec s;
  s.cn = "other.example.com";
  s.san = "DNS:other.example.com";
  auto leaf = c.leaf(s);
  const auto findings = run_checks(c.input(leaf.get()));
  CHECK(failed(findings) == std::vector<std::string>{"fqdn-cn", "fqdn-san"});
  auto f = by_check(findings);
  CHECK(f["fqdn-cn"].reason ==
        "subject CN is 'other.example.com', but peers expect 'gw.example.com' (OCS/Lync compare "
        "the CN with the static route's FQDN)");
  CHECK(f["fqdn-cn"].fix == "request a new certificate: rcc-csr new --cn gw.example.com");
}

TEST_CASE("a certificate without clientAuth fails the EKU check", "[pki][check]") {
  Chain c;
  test::CertSpec s;
  s.eku = "serverAuth";
  auto leaf = c.leaf(s);
  const auto findings = run_checks(c.input(leaf.get()));
  CHECK(failed(findings) == std::vector<std::string>{"eku"});
  auto f = by_check(findings);
  CHECK(f["eku"].reason ==
        "extendedKeyUsage lacks clientAuth (1.3.6.1.5.5.7.3.2): the gateway is TLS server and "
        "client on the same link");
  CHECK_THAT(f["eku"].fix, Catch::Contains("Client Authentication"));
}

TEST_CASE("a certificate without any EKU fails naming both OIDs", "[pki][check]") {
  Chain c;
  test::CertSpec s;
  s.eku = "";
  auto leaf = c.leaf(s);
  auto f = by_check(run_checks(c.input(leaf.get())));
  CHECK(f["eku"].status == Status::fail);
  CHECK_THAT(f["eku"].reason,
             Catch::Contains("1.3.6.1.5.5.7.3.1") && Catch::Contains("1.3.6.1.5.5.7.3.2"));
}

TEST_CASE("a v1 certificate fails the version and EKU checks and warns on the SAN",
          "[pki][check]") {
  Chain c;
  test::CertSpec s;
  s.v1 = true;
  auto leaf = c.leaf(s);
  const auto findings = run_checks(c.input(leaf.get()));
  CHECK(failed(findings) == std::vector<std::string>{"x509-v3", "eku"});
  auto f = by_check(findings);
  CHECK_THAT(f["x509-v3"].reason, Catch::StartsWith("an X.509 v1 certificate"));
  CHECK(f["fqdn-san"].status == Status::warn);
}

TEST_CASE("an expired certificate fails validity only", "[pki][check]") {
  Chain c;
  test::CertSpec s;
  s.not_before = -10 * 86400;
  s.not_after = -86400;
  auto leaf = c.leaf(s);
  const auto findings = run_checks(c.input(leaf.get()));
  CHECK(failed(findings) == std::vector<std::string>{"validity"});
  CHECK_THAT(by_check(findings)["validity"].reason,
             Catch::StartsWith("'gw.example.com' expired on "));
}

TEST_CASE("a certificate about to expire warns and still exits clean", "[pki][check]") {
  Chain c;
  test::CertSpec s;
  s.not_after = 5 * 86400;
  auto leaf = c.leaf(s);
  const auto findings = run_checks(c.input(leaf.get()));
  CHECK(by_check(findings)["validity"].status == Status::warn);
  CHECK(overall(findings) == Status::warn);
}

TEST_CASE("a certificate not valid yet fails validity", "[pki][check]") {
  Chain c;
  test::CertSpec s;
  s.not_before = 86400;
  auto leaf = c.leaf(s);
  CHECK_THAT(by_check(run_checks(c.input(leaf.get())))["validity"].reason,
             Catch::Contains("is not valid before"));
}

TEST_CASE("a key that is not the certificate's fails key-match", "[pki][check]") {
  Chain c;
  auto leaf = c.leaf();
  auto in = c.input(leaf.get());
  in.key = test::other_ec_key();
  const auto findings = run_checks(in);
  CHECK(failed(findings) == std::vector<std::string>{"key-match"});
  CHECK_THAT(by_check(findings)["key-match"].reason,
             Catch::StartsWith("'gw.key' does not belong to this certificate"));
}

TEST_CASE("a chain to a root that is not trusted fails the chain check", "[pki][check]") {
  Chain c;
  auto leaf = c.leaf();
  auto in = c.input(leaf.get());
  in.untrusted.push_back(c.root.get());
  in.trusted.clear();
  test::CertSpec other;
  other.cn = "Other Root";
  other.ca = true;
  auto other_root = test::make_cert(other);
  in.trusted.push_back(other_root.get());
  const auto findings = run_checks(in);
  CHECK(failed(findings) == std::vector<std::string>{"chain"});
  auto f = by_check(findings)["chain"];
  CHECK(f.reason == "the chain ends at the root 'Test Root', which is not among --trust");
  CHECK_THAT(f.fix, Catch::StartsWith("give the root the peers trust with --trust"));
}

TEST_CASE("a missing intermediate is named with the --chain fix", "[pki][check]") {
  Chain c;
  auto leaf = c.leaf();
  auto in = c.input(leaf.get());
  in.untrusted.clear();
  auto f = by_check(run_checks(in))["chain"];
  CHECK(f.status == Status::fail);
  CHECK(f.reason ==
        "no certificate for 'CN=Test Intermediate', the issuer of 'gw.example.com', in the chain "
        "files or --trust");
  CHECK_THAT(f.fix, Catch::StartsWith("add the CA's intermediate certificates with --chain"));
}

TEST_CASE("a SHA-1 signature fails the signature check", "[pki][check]") {
  Chain c;
  test::CertSpec s;
  s.md = EVP_sha1();
  auto leaf = c.leaf(s);
  const auto findings = run_checks(c.input(leaf.get()));
  CHECK(failed(findings) == std::vector<std::string>{"signature"});
  CHECK_THAT(by_check(findings)["signature"].reason, Catch::Contains("ecdsa-with-SHA1"));
}

TEST_CASE("without --fqdn the CN is reported, and the SAN compared with the CN", "[pki][check]") {
  Chain c;
  test::CertSpec s;
  s.san = "DNS:alias.example.com";
  auto leaf = c.leaf(s);
  auto in = c.input(leaf.get());
  in.fqdn.clear();
  auto f = by_check(run_checks(in));
  CHECK(f["fqdn-cn"].status == Status::warn);
  CHECK(f["fqdn-san"].status == Status::fail);
  CHECK(f["fqdn-san"].reason ==
        "subjectAltName (DNS:alias.example.com) does not include 'gw.example.com' (the CN)");
}

TEST_CASE("a wildcard SAN covers the FQDN", "[pki][check]") {
  Chain c;
  test::CertSpec s;
  s.san = "DNS:*.example.com";
  auto leaf = c.leaf(s);
  CHECK(by_check(run_checks(c.input(leaf.get())))["fqdn-san"].status == Status::pass);
}
