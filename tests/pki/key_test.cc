#include "pki/key.h"

#include <sys/stat.h>

#include <openssl/pem.h>

#include <catch2/catch.hpp>

#include "pki/decode.h"
#include "pki/pki_helpers.h"

namespace util = rcc::util;
using namespace rcc::pki;

namespace {

unsigned mode_of(const std::string& path) {
  struct stat st {};
  ::stat(path.c_str(), &st);
  return st.st_mode & 07777;
}

}  // namespace

TEST_CASE("key specs accept the five documented key types", "[pki][key]") {
  const auto [text, rsa, bits, curve] =
      GENERATE(table<const char*, bool, int, const char*>({{"rsa:2048", true, 2048, ""},
                                                           {"rsa:3072", true, 3072, ""},
                                                           {"rsa:4096", true, 4096, ""},
                                                           {"ec:p256", false, 0, "P-256"},
                                                           {"ec:p384", false, 0, "P-384"}}));
  auto spec = parse_key_spec(text);
  REQUIRE(spec);
  CHECK((spec->algorithm == KeyAlgorithm::rsa) == rsa);
  if (rsa) CHECK(spec->rsa_bits == bits);
  if (!rsa) CHECK(spec->curve == curve);
  CHECK(spec->text() == text);
}

TEST_CASE("key specs refuse anything else and list the accepted values", "[pki][key]") {
  const char* text = GENERATE("rsa:1024", "rsa", "ec:p521", "ed25519", "", "RSA:2048");
  auto spec = parse_key_spec(text);
  REQUIRE_FALSE(spec);
  CHECK(spec.error().code() == Errc::bad_key_spec);
  CHECK(spec.error().message().find("rsa:2048, rsa:3072, rsa:4096, ec:p256, ec:p384") !=
        std::string::npos);
}

TEST_CASE("a generated P-384 key is described as EC P-384", "[pki][key]") {
  auto key = generate_key(*parse_key_spec("ec:p384"));
  REQUIRE(key);
  const auto d = describe_key(key->get());
  CHECK(d.algorithm == "EC");
  CHECK(d.curve == "P-384");
  CHECK(d.bits == 384);
  CHECK(d.text() == "EC P-384");
  CHECK(usable_for_tls_identity(d));
}

TEST_CASE("the shared RSA test key is described as RSA 2048", "[pki][key]") {
  const auto d = describe_key(test::rsa_key());
  CHECK(d.text() == "RSA 2048");
}

TEST_CASE("keys match their own public half and not another key", "[pki][key]") {
  CHECK(keys_match(test::ec_key(), test::ec_key()));
  CHECK_FALSE(keys_match(test::ec_key(), test::other_ec_key()));
  CHECK(public_key_sha256(test::ec_key()).size() == 32 * 3 - 1);
  CHECK(public_key_sha256(test::ec_key()) != public_key_sha256(test::other_ec_key()));
}

TEST_CASE("a private key file is written 0600 and never overwritten without force", "[pki][key]") {
  test::TempDir dir;
  const auto path = dir.file("gw.key");
  const auto pem = private_key_pem(test::ec_key());
  REQUIRE(write_file(path, pem, FileMode::private_key, false));
  CHECK(mode_of(path) == 0600);
  auto again = write_file(path, pem, FileMode::private_key, false);
  REQUIRE_FALSE(again);
  CHECK(again.error().code() == Errc::file_exists);
  CHECK(again.error().message() == path + ": exists (give --force to replace it)");
}

TEST_CASE("forcing over a loose key file leaves a 0600 file", "[pki][key]") {
  test::TempDir dir;
  const auto path = dir.file("gw.key");
  test::write(path, "old", 0644);
  REQUIRE(write_file(path, private_key_pem(test::ec_key()), FileMode::private_key, true));
  CHECK(mode_of(path) == 0600);
  auto loaded = load_private_key(path);
  REQUIRE(loaded);
  CHECK(keys_match(test::ec_key(), loaded->get()));
}

TEST_CASE("a private key readable by others is refused with the chmod fix", "[pki][key]") {
  test::TempDir dir;
  const auto path = dir.file("loose.key");
  test::write(path, private_key_pem(test::ec_key()), 0640);
  auto loaded = load_private_key(path);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().code() == Errc::insecure_permissions);
  CHECK(loaded.error().message() == path + ": mode 0640 lets other users read or change the " +
                                        "private key (fix: chmod 600 " + path + ")");
}

TEST_CASE("loading a key from a certificate file says what the file holds", "[pki][key]") {
  test::TempDir dir;
  const auto path = dir.file("cert.pem");
  auto cert = test::make_cert({});
  util::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert.get());
  test::write(path, util::bio_contents(bio.get()), 0600);
  auto loaded = load_private_key(path);
  REQUIRE_FALSE(loaded);
  CHECK(loaded.error().code() == Errc::wrong_kind);
  CHECK(loaded.error().message() == path + ": holds a certificate, not a private key");
}

TEST_CASE("a DER private key loads like a PEM one", "[pki][key]") {
  test::TempDir dir;
  const auto path = dir.file("gw.der");
  REQUIRE(write_file(path, private_key_der(test::ec_key()), FileMode::private_key, false));
  auto loaded = load_private_key(path);
  REQUIRE(loaded);
  CHECK(keys_match(test::ec_key(), loaded->get()));
}
