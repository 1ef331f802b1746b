#include "pki/ca.h"

#include <sys/stat.h>

#include <ctime>

#include <catch2/catch.hpp>

#include "pki/check.h"
#include "pki/decode.h"
#include "pki/encode.h"
#include "pki/inspect.h"
#include "pki/pki_helpers.h"
#include "util/file.h"

namespace util = rcc::util;
using namespace rcc::pki;

namespace {

util::X509ReqPtr request(const std::string& cn) {
  RequestOptions o;
  o.subject.cn = cn;
  return build_request(test::ec_key(), o).value();
}

// "00000000000ABCDE\n" (the serial file) as inspect() shows serials: "0A:BC:DE".
std::string colon_hex_of_serial(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r'))
    text.pop_back();
  while (text.size() > 2 && text.compare(0, 2, "00") == 0)
    text.erase(0, 2);
  std::string out;
  for (std::size_t i = 0; i < text.size(); i += 2)
    out += (out.empty() ? "" : ":") + text.substr(i, 2);
  return out;
}

KeySpec ec256() {
  return *parse_key_spec("ec:p256");
}

}  // namespace

TEST_CASE("ca init writes a 0600 key, a v3 CA certificate and a serial file", "[pki][ca]") {
  test::TempDir dir;
  const CaPaths paths{dir.file("ca")};
  Subject subject;
  subject.cn = "Lab CA";
  REQUIRE(ca_init(paths, ec256(), subject, 30, false, std::time(nullptr)));
  struct stat st {};
  REQUIRE(::stat(paths.key().c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto cert = load(paths.certificate());
  REQUIRE(cert);
  const auto info = inspect(cert->certificates().front());
  CHECK(info.version == 3);
  CHECK(info.subject == "CN=Lab CA");
  CHECK(info.self_issued);
  REQUIRE(info.ca);
  CHECK(*info.ca);
  CHECK(info.key_usage == std::vector<std::string>{"keyCertSign", "cRLSign"});
  auto serial = util::read_file(paths.serial());
  REQUIRE(serial);
  CHECK(serial->size() == 17);

  auto again = ca_init(paths, ec256(), subject, 30, false, std::time(nullptr));
  REQUIRE_FALSE(again);
  CHECK(again.error().code() == Errc::file_exists);
}

TEST_CASE("ca sign keeps SAN and EKU, advances the serial, and the result checks clean",
          "[pki][ca]") {
  test::TempDir dir;
  const CaPaths paths{dir.file("ca")};
  Subject subject;
  subject.cn = "Lab CA";
  const auto now = std::time(nullptr);
  REQUIRE(ca_init(paths, ec256(), subject, 30, false, now));
  const auto before = *util::read_file(paths.serial());
  auto req = request("gw.example.com");
  auto signed_cert = ca_sign(paths, req.get(), 100, now);
  REQUIRE(signed_cert);
  CHECK(signed_cert->kept ==
        std::vector<std::string>{"subjectAltName", "extendedKeyUsage", "keyUsage"});
  CHECK(signed_cert->dropped.empty());
  const auto info = inspect(signed_cert->certificate.get());
  CHECK(info.serial == colon_hex_of_serial(before));
  CHECK(*util::read_file(paths.serial()) != before);
  CHECK(info.issuer == "CN=Lab CA");
  REQUIRE(info.ca);
  CHECK_FALSE(*info.ca);

  auto root = load(paths.certificate());
  REQUIRE(root);
  CheckInput in;
  in.certificate = signed_cert->certificate.get();
  in.key = test::ec_key();
  in.trusted = root->certificates();
  in.fqdn = "gw.example.com";
  in.now = now;
  CHECK(overall(run_checks(in)) == Status::pass);
}

TEST_CASE("ca sign drops extensions a request may not choose", "[pki][ca]") {
  test::TempDir dir;
  const CaPaths paths{dir.file("ca")};
  Subject subject;
  subject.cn = "Lab CA";
  REQUIRE(ca_init(paths, ec256(), subject, 30, false, std::time(nullptr)));
  // A request that asks to be a CA, with CA key usages and a policy extension.
  util::X509ReqPtr req(X509_REQ_new());
  util::X509NamePtr name(X509_NAME_new());
  X509_NAME_add_entry_by_txt(name.get(), "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("evil.example.com"), -1, -1, 0);
  X509_REQ_set_subject_name(req.get(), name.get());
  X509_REQ_set_pubkey(req.get(), test::ec_key());
  util::X509ExtensionStackPtr exts(sk_X509_EXTENSION_new_null());
  for (auto [nid, value] : {std::pair<int, const char*>{NID_basic_constraints, "critical,CA:TRUE"},
                            {NID_key_usage, "critical,keyCertSign"},
                            {NID_subject_alt_name, "DNS:evil.example.com"},
                            {NID_netscape_comment, "lab"}}) {
    sk_X509_EXTENSION_push(exts.get(), X509V3_EXT_nconf_nid(nullptr, nullptr, nid, value));
  }
  X509_REQ_add_extensions(req.get(), exts.get());
  X509_REQ_sign(req.get(), test::ec_key(), EVP_sha256());

  auto signed_cert = ca_sign(paths, req.get(), 10, std::time(nullptr));
  REQUIRE(signed_cert);
  CHECK(signed_cert->kept == std::vector<std::string>{"subjectAltName"});
  CHECK(signed_cert->dropped == std::vector<std::string>{"basicConstraints (always CA:FALSE here)",
                                                         "keyUsage (asks for CA usages)",
                                                         "nsComment (not allowed)"});
  const auto info = inspect(signed_cert->certificate.get());
  REQUIRE(info.ca);
  CHECK_FALSE(*info.ca);
  CHECK(info.key_usage.empty());
}

TEST_CASE("ca sign refuses a request whose signature does not verify", "[pki][ca]") {
  test::TempDir dir;
  const CaPaths paths{dir.file("ca")};
  Subject subject;
  subject.cn = "Lab CA";
  REQUIRE(ca_init(paths, ec256(), subject, 30, false, std::time(nullptr)));
  auto req = request("gw.example.com");
  // Swap in another key after signing: the self-signature no longer matches.
  X509_REQ_set_pubkey(req.get(), test::other_ec_key());
  auto signed_cert = ca_sign(paths, req.get(), 10, std::time(nullptr));
  REQUIRE_FALSE(signed_cert);
  CHECK(signed_cert.error().code() == Errc::bad_signature);
}

TEST_CASE("ca sign explains a missing CA and a broken serial file", "[pki][ca]") {
  test::TempDir dir;
  const CaPaths paths{dir.file("ca")};
  auto req = request("gw.example.com");
  auto none = ca_sign(paths, req.get(), 10, std::time(nullptr));
  REQUIRE_FALSE(none);
  CHECK(none.error().code() == Errc::ca_files);
  CHECK_THAT(none.error().message(), Catch::EndsWith("(create the CA with rcc-csr ca init)"));

  Subject subject;
  subject.cn = "Lab CA";
  REQUIRE(ca_init(paths, ec256(), subject, 30, false, std::time(nullptr)));
  test::write(paths.serial(), "not hex\n");
  auto broken = ca_sign(paths, req.get(), 10, std::time(nullptr));
  REQUIRE_FALSE(broken);
  CHECK(broken.error().code() == Errc::ca_files);
  CHECK(broken.error().message() == paths.serial() + ": not a serial number (hex digits expected)");
}
