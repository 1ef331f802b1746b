#include "directory/directory.h"

#include <catch2/catch.hpp>

#include <cstdlib>

using namespace rcc::directory;

namespace {

std::string example_path() {
  return std::string(std::getenv("RCC_SOURCE_DIR")) + "/examples/directory.toml";
}

std::string error_of(const std::string& text) {
  auto d = parse_directory(text, "dir.toml");
  return d ? std::string("no error") : d.error().message();
}

}  // namespace

TEST_CASE("directory example loads with its users, devices and shared lines", "[directory]") {
  auto d = load_directory_file(example_path());
  REQUIRE(d);
  CHECK(d->users().size() == 4);
  const User* mary = d->user_by_email("Mary.Jones@example.com");
  REQUIRE(mary != nullptr);
  CHECK(mary->id == "mjones");
  CHECK(d->user_by_ocs_address("sip:MARY.JONES@example.com") == mary);
  CHECK(d->user_by_id("MJONES") == mary);
  const auto shared = d->devices_on_line("4712", "Internal");
  REQUIRE(shared.size() == 2);
  REQUIRE(shared[0] != nullptr);
  REQUIRE(shared[1] != nullptr);
  CHECK_FALSE(shared[0]->is_ip_communicator());
  CHECK(shared[1]->is_ip_communicator());
  CHECK(d->devices_on_line("4713", "Internal").size() == 3);
  CHECK(d->devices_on_line("4713", "").empty());
  const User* sam = d->user_by_id("sbrown");
  REQUIRE(sam != nullptr);
  CHECK_FALSE(sam->rcc_enabled);
  const ApplicationUser* app = d->application_user("rccgateway");
  REQUIRE(app != nullptr);
  CHECK(app->in_group(kCtiEnabled));
  const ApplicationUser* nocti = d->application_user("nocti");
  REQUIRE(nocti != nullptr);
  CHECK_FALSE(nocti->in_group(kCtiEnabled));
}

TEST_CASE("directory errors name the file, line, column and field", "[directory]") {
  CHECK(error_of("[[user]]\nid = \"a\"\ndevices = [\"SEPX\"]\n") ==
        "dir.toml:3:11: [[user]] #1 (a) devices: no device named 'SEPX' in the file");
  CHECK(error_of("[[device]]\nname = \"SEP1\"\nlines = [{ dn = \"47a1\" }]\n") ==
        "dir.toml:3:17: [[device]] #1 (SEP1) lines[0] dn: '47a1' is not a directory number "
        "(digits, * and #, an optional leading +)");
  CHECK(error_of("[[device]]\nname = \"SEP1\"\n[[device]]\nname = \"sep1\"\n") ==
        "dir.toml:4:8: [[device]] #2 (sep1) name: device 'sep1' is defined twice");
  CHECK(error_of("[[user]]\nemail = \"x@y\"\n") == "dir.toml:1:1: [[user]] #1 id: is required");
  CHECK(error_of("[[user]]\nid = \"a\"\nrcc-enabled = \"yes\"\n") ==
        "dir.toml:3:15: [[user]] #1 (a) rcc-enabled: expected true or false, got a string");
  CHECK(error_of("[[user]]\nid = \"a\"\nline-uri = \"4711\"\n") ==
        "dir.toml:3:12: [[user]] #1 (a) line-uri: must be a tel: URI, got '4711'");
  CHECK(error_of("[[user]]\nid = \"a\"\nemial = \"x\"\n") ==
        "dir.toml:3:1: [[user]] #1 (a) unknown key 'emial'");
  CHECK(error_of("[[users]]\nid = \"a\"\n") == "dir.toml:1:3: unknown section or key 'users'");
  CHECK(error_of("[[application-user]]\nid = \"x\"\ngroups = [\"Admins\"]\n") ==
        "dir.toml:3:10: [[application-user]] #1 (x) groups: unknown access control group 'Admins'");
  CHECK(error_of("[[user]\n").rfind("dir.toml:1:", 0) == 0);
}

TEST_CASE("directory application user password can come from a file", "[directory]") {
  char dir_template[] = "/tmp/rcc-dir-test.XXXXXX";
  const char* made = mkdtemp(dir_template);
  REQUIRE(made != nullptr);
  const std::string dir = made;
  {
    FILE* f = std::fopen((dir + "/pass").c_str(), "w");
    REQUIRE(f != nullptr);
    std::fputs("s3cret\n", f);
    std::fclose(f);
  }
  auto d = parse_directory("[[application-user]]\nid = \"x\"\npassword-file = \"pass\"\n",
                           dir + "/d.toml");
  REQUIRE(d);
  const ApplicationUser* x = d->application_user("x");
  REQUIRE(x != nullptr);
  CHECK(x->password == "s3cret");
  auto missing = parse_directory("[[application-user]]\nid = \"x\"\npassword-file = \"nope\"\n",
                                 dir + "/d.toml");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message(),
             Catch::Contains("password-file: ") && Catch::Contains("No such file"));
  std::remove((dir + "/pass").c_str());
  std::remove(dir.c_str());
}

TEST_CASE("directory holds end-user groups, telephone numbers and models needing a group",
          "[directory]") {
  auto d = parse_directory(
      "[[model]]\nname = \"Cisco 8845\"\nconnected-xfer-conf = true\n"
      "[[user]]\nid = \"a\"\ntelephone-number = \"+1 (425) 555-0101\"\n"
      "groups = [\"Standard CCM End Users\"]\n"
      "[[user]]\nid = \"b\"\n",
      "dir.toml");
  REQUIRE(d);
  const User* a = d->user_by_id("a");
  REQUIRE(a != nullptr);
  CHECK(a->telephone_number == "+1 (425) 555-0101");
  CHECK(a->groups_known);
  CHECK(a->groups == std::vector<std::string>{kCcmEndUsers});
  const User* b = d->user_by_id("b");
  REQUIRE(b != nullptr);
  CHECK_FALSE(b->groups_known);
  CHECK(d->needs_connected_xfer_conf("cisco 8845"));
  CHECK_FALSE(d->needs_connected_xfer_conf("Cisco 7975"));
  CHECK(error_of("[[user]]\nid = \"a\"\ngroups = [\" \"]\n") ==
        "dir.toml:3:10: [[user]] #1 (a) groups: an empty group name");
  CHECK(error_of("[[model]]\nname = \"X\"\ncolour = 1\n") ==
        "dir.toml:3:1: [[model]] #1 (X) unknown key 'colour'");
}
