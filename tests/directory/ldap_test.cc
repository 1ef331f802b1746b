// The LDAP user source's pure parts: filter escaping (RFC 4515), the default filter, the
// [directory] configuration and its errors, and what an entry's attributes make of a user.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "directory/directory.h"
#include "directory/directory_config.h"
#include "directory/ldap_entry.h"
#include "directory/ldap_filter.h"
#include "rcc/gateway_config.h"

using namespace rcc::directory;

namespace {

/// A temporary directory with a password file, for configuration texts that name one.
struct Dir {
  std::filesystem::path path;
  Dir() {
    char templ[] = "/tmp/rcc-ldap-test-XXXXXX";
    path = ::mkdtemp(templ);
    std::ofstream(path / "pw") << "s3cret\n";
    std::ofstream(path / "empty") << "";
    std::ofstream(path / "ca.pem") << "-----BEGIN CERTIFICATE-----\n";
  }
  ~Dir() { std::filesystem::remove_all(path); }
  std::string file(const char* name) const { return (path / name).string(); }
};

DirectoryConfig load(const Dir& d, const std::string& text) {
  auto doc = rcc::config::parse(text, d.file("rcc.toml"));
  REQUIRE(doc);
  return load_directory_config(*doc);
}

std::string error_of(const Dir& d, const std::string& text) {
  auto doc = rcc::config::parse(text, d.file("rcc.toml"));
  if (!doc) return doc.error().message();
  try {
    (void)load_directory_config(*doc);
  } catch (const rcc::Exception& e) {
    return e.error().message();
  }
  return "no error";
}

const char* kMinimal = R"([directory]
source = "ldap"
file = "directory.toml"
[directory.ldap]
servers = ["ldap://dc1.example.com", "ldap://dc2.example.com:3268"]
bind-dn = "CN=svc-rcc,OU=Service,DC=example,DC=com"
bind-password-file = "pw"
base = "DC=example,DC=com"
line-server = "sip:rcc-gw@gw.example.com"
)";

LdapEntry entry(std::string dn, std::vector<std::pair<std::string, std::vector<std::string>>> a) {
  LdapEntry e;
  e.dn = std::move(dn);
  e.attributes = std::move(a);
  return e;
}

/// An RCC user as AD holds one; tests change one attribute each.
LdapEntry plain() {
  return entry("CN=John Smith,OU=People,DC=example,DC=com",
               {{"sAMAccountName", {"jsmith"}},
                {"mail", {"john.smith@example.com"}},
                {"msRTCSIP-PrimaryUserAddress", {"sip:john.smith@example.com"}},
                {"msRTCSIP-Line", {"tel:4711;phone-context=dialstring"}},
                {"msRTCSIP-LineServer", {"sip:rcc-gw@gw.example.com"}},
                {"msRTCSIP-OptionFlags", {"272"}},
                {"msRTCSIP-UserEnabled", {"TRUE"}},
                {"userAccountControl", {"512"}},
                {"telephoneNumber", {"+1 425 555 4711"}},
                {"displayName", {"John Smith"}}});
}

void set(LdapEntry& e, const std::string& name, std::vector<std::string> values) {
  for (auto& [n, v] : e.attributes)
    if (n == name) {
      v = std::move(values);
      return;
    }
  e.attributes.emplace_back(name, std::move(values));
}

void remove(LdapEntry& e, const std::string& name) {
  for (auto it = e.attributes.begin(); it != e.attributes.end(); ++it)
    if (it->first == name) {
      e.attributes.erase(it);
      return;
    }
}

LdapConfig settings() {
  LdapConfig c;
  c.servers = {"ldap://dc1.example.com"};
  c.base = "DC=example,DC=com";
  c.line_server = "sip:rcc-gw@gw.example.com";
  return c;
}

}  // namespace

TEST_CASE("filter values are escaped as RFC 4515 says", "[directory][ldap]") {
  CHECK(escape_filter_value("jsmith") == "jsmith");
  CHECK(escape_filter_value("*") == "\\2a");
  CHECK(escape_filter_value("(") == "\\28");
  CHECK(escape_filter_value(")") == "\\29");
  CHECK(escape_filter_value("\\") == "\\5c");
  CHECK(escape_filter_value(std::string("a\0b", 3)) == "a\\00b");
  CHECK(escape_filter_value("\x01\x7f") == "\\01\\7f");
  CHECK(escape_filter_value("Jürgen") == "Jürgen");  // UTF-8 passes
  // The injection of the issue: the value cannot close the assertion.
  CHECK(equality_filter("sAMAccountName", "*)(uid=*") == "(sAMAccountName=\\2a\\29\\28uid=\\2a)");
  CHECK(equality_filter("mail", "a\\2a@example.com") == "(mail=a\\5c2a@example.com)");
  CHECK(and_filter("(a=1)", "(b=2)") == "(&(a=1)(b=2))");
}

TEST_CASE("the default filter is the AD filter with the gateway's line server",
          "[directory][ldap]") {
  LdapAttributes a;
  CHECK(default_filter(a, "sip:rcc-gw@gw.example.com", "") ==
        "(&(msRTCSIP-UserEnabled=TRUE)(msRTCSIP-OptionFlags:1.2.840.113556.1.4.803:=16)"
        "(msRTCSIP-Line=*)(msRTCSIP-LineServer=sip:rcc-gw@gw.example.com)"
        "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))");
  // A group instead of the option flags; the group DN is a value, escaped.
  CHECK(default_filter(a, "sip:gw@x", "CN=RCC (all),DC=example,DC=com") ==
        "(&(msRTCSIP-UserEnabled=TRUE)(memberOf=CN=RCC \\28all\\29,DC=example,DC=com)"
        "(msRTCSIP-Line=*)(msRTCSIP-LineServer=sip:gw@x)"
        "(!(userAccountControl:1.2.840.113556.1.4.803:=2)))");
  // A value of the line server with filter syntax in it cannot widen the filter either.
  CHECK(default_filter(a, "sip:*", "").find("(msRTCSIP-LineServer=sip:\\2a)") != std::string::npos);
  a.line = "ipPhone";
  CHECK(default_filter(a, "sip:gw@x", "").find("(ipPhone=*)") != std::string::npos);
}

TEST_CASE("configured filters and attribute names are checked", "[directory][ldap]") {
  CHECK(check_filter("(objectClass=user)"));
  CHECK(check_filter("(&(a=\\2a)(|(b=1)(c=2)))"));
  CHECK_FALSE(check_filter("objectClass=user"));
  CHECK_FALSE(check_filter("(a=1)(b=2)"));
  CHECK_FALSE(check_filter("(&(a=1)"));
  CHECK_FALSE(check_filter("(a=1))"));
  CHECK_FALSE(check_filter("(a=\\zz)"));
  CHECK(valid_attribute_name("msRTCSIP-PrimaryUserAddress"));
  CHECK(valid_attribute_name("1.2.840.113556.1.4.221"));
  CHECK_FALSE(valid_attribute_name("mail)(x=*"));
  CHECK_FALSE(valid_attribute_name("-mail"));
  CHECK_FALSE(valid_attribute_name("1..2"));
  CHECK_FALSE(valid_attribute_name(""));
  CHECK(same_dn("CN=RCC Users, OU=Groups,DC=example, DC=com",
                "cn=rcc users,ou=groups,dc=example,dc=com"));
  CHECK_FALSE(same_dn("cn=a,dc=x", "cn=b,dc=x"));
}

TEST_CASE("[directory] with source = ldap", "[directory][ldap][config]") {
  Dir d;
  const DirectoryConfig c = load(d, kMinimal);
  CHECK(c.source == SourceKind::ldap);
  CHECK(c.file == d.file("directory.toml"));
  CHECK(c.ldap.servers.size() == 2);
  CHECK(c.ldap.bind_password == "s3cret");  // trailing newline removed
  CHECK(c.ldap.attributes.user_id == "sAMAccountName");
  CHECK(c.ldap.cache_ttl == std::chrono::seconds(300));
  CHECK(c.ldap.negative_ttl == std::chrono::seconds(30));
  CHECK(c.ldap.page_size == 500);
  CHECK_FALSE(c.ldap.uses_tls());
  CHECK(c.ldap.effective_filter().find("(msRTCSIP-LineServer=sip:rcc-gw@gw.example.com)") !=
        std::string::npos);

  const DirectoryConfig o = load(d, std::string(kMinimal) + R"(start-tls = true
ca-file = "ca.pem"
cache-ttl = 60
negative-ttl = 5
connect-timeout = 2
search-timeout = 3
page-size = 1000
rcc-group = "CN=RCC Users,OU=Groups,DC=example,DC=com"
[directory.ldap.attributes]
user-id = "uid"
line = "ipPhone"
)");
  CHECK(o.ldap.uses_tls());
  CHECK(o.ldap.ca_file == d.file("ca.pem"));
  CHECK(o.ldap.attributes.user_id == "uid");
  CHECK(o.ldap.attributes.line == "ipPhone");
  CHECK(o.ldap.attributes.email == "mail");
  CHECK(o.ldap.connect_timeout == std::chrono::milliseconds(2000));
  CHECK(o.ldap.effective_filter().find("(memberOf=CN=RCC Users,OU=Groups,DC=example,DC=com)") !=
        std::string::npos);

  // The file source stays the default; [directory.ldap] is not read then.
  const DirectoryConfig f =
      load(d, "[directory]\nfile = \"users.toml\"\n[directory.ldap]\nx = 1\n");
  CHECK(f.source == SourceKind::file);
}

TEST_CASE("[directory] errors name the key and where it is", "[directory][ldap][config]") {
  Dir d;
  const std::string file = d.file("rcc.toml");
  const auto replace = [](std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    REQUIRE(at != std::string::npos);
    return text.replace(at, from.size(), to);
  };
  CHECK(error_of(d, "[directory]\nsource = \"ad\"\n") ==
        file + ":2:10: [directory] source: 'ad' is not one of: file, ldap");
  CHECK(error_of(d, replace(kMinimal, "servers = [\"ldap://dc1.example.com\", ", "servers = [")) ==
        "no error");
  CHECK(error_of(d, replace(kMinimal, "ldap://dc1.example.com", "http://dc1")) ==
        file + ":5:11: [directory.ldap] servers: 'http://dc1' is not an ldap:// or ldaps:// URI");
  CHECK(error_of(d, replace(kMinimal, "\"ldap://dc1.example.com\"", "\"ldap://\""))
            .find("needs a host") != std::string::npos);
  CHECK(error_of(d, replace(kMinimal, "bind-password-file = \"pw\"", "bind-password = \"x\"")) ==
        file +
            ":7:17: [directory.ldap] bind-password: passwords are not kept in rcc.toml: put it "
            "in a file readable by the service only and name it with bind-password-file");
  CHECK(error_of(d, replace(kMinimal, "\"pw\"", "\"nonexistent\""))
            .find("[directory.ldap] bind-password-file: ") != std::string::npos);
  CHECK(error_of(d, replace(kMinimal, "\"pw\"", "\"empty\"")) ==
        file + ":7:22: [directory.ldap] bind-password-file: " + d.file("empty") + " is empty");
  CHECK(error_of(d, replace(kMinimal, "bind-password-file = \"pw\"\n", ""))
            .find("[directory.ldap] bind-dn: needs bind-password-file") != std::string::npos);
  CHECK(error_of(d, replace(kMinimal, "base = \"DC=example,DC=com\"\n", "")) ==
        file + ":4:1: [directory.ldap] base: is required: the search base, e.g. DC=example,DC=com");
  CHECK(error_of(d, replace(kMinimal, "line-server = \"sip:rcc-gw@gw.example.com\"\n", ""))
            .find("[directory.ldap] line-server: is required with the default filter") !=
        std::string::npos);
  // A filter instead of line-server is fine, if it has a filter's shape.
  CHECK(error_of(d, replace(kMinimal, "line-server = \"sip:rcc-gw@gw.example.com\"",
                            "filter = \"(objectClass=user)\"")) == "no error");
  CHECK(error_of(d, replace(kMinimal, "line-server = \"sip:rcc-gw@gw.example.com\"",
                            "filter = \"(&(objectClass=user)\"")) ==
        file + ":9:10: [directory.ldap] filter: a '(' is not closed");
  CHECK(error_of(d, replace(kMinimal, "ldap://dc1.example.com", "ldaps://dc1.example.com")) ==
        file +
            ":5:11: [directory.ldap] servers: TLS needs ca-file: the CA certificates (PEM) the "
            "servers' certificates chain to");
  CHECK(error_of(d, std::string(kMinimal) + "start-tls = true\nca-file = \"missing.pem\"\n")
            .find("[directory.ldap] ca-file: ") != std::string::npos);
  CHECK(error_of(d, std::string(kMinimal) + "cache-ttl = -1\n") ==
        file + ":10:13: [directory.ldap] cache-ttl: must be between 0 and 86400, got -1");
  CHECK(error_of(d, std::string(kMinimal) + "page-size = 0\n").find("page-size: must be") !=
        std::string::npos);
  CHECK(error_of(d, std::string(kMinimal) + "sever = \"x\"\n") ==
        file + ":10:1: [directory.ldap] unknown key 'sever'");
  CHECK(error_of(d, std::string(kMinimal) + "[directory.ldap.attributes]\nline = \"ip Phone\"\n") ==
        file +
            ":11:8: [directory.ldap.attributes] line: 'ip Phone' is not an attribute name "
            "(letters, digits and '-', starting with a letter, or a numeric OID)");
  CHECK(error_of(d, std::string(kMinimal) + "[directory.ldap.attributes]\nuserid = \"uid\"\n") ==
        file + ":11:1: [directory.ldap.attributes] unknown key 'userid'");
  CHECK(error_of(d, "[directory]\nsource = \"ldap\"\nldap = 3\n") ==
        file + ":3:8: [directory] ldap: expected a table, got an integer");
}

TEST_CASE("gateway configuration carries [directory]", "[directory][ldap][config]") {
  Dir d;
  auto doc = rcc::config::parse(kMinimal, d.file("rcc.toml"));
  REQUIRE(doc);
  const auto g = rcc::gateway::load_gateway_config(*doc);
  CHECK(g.directory.source == SourceKind::ldap);
  CHECK(g.directory_file == d.file("directory.toml"));
}

TEST_CASE("an RCC user's entry maps to a user", "[directory][ldap][mapping]") {
  const LdapConfig c = settings();
  const User u = user_from_entry(plain(), c, true);
  CHECK(u.id == "jsmith");
  CHECK(u.email == "john.smith@example.com");
  CHECK(u.ocs_primary_address == "sip:john.smith@example.com");
  CHECK(u.line_uri == "tel:4711;phone-context=dialstring");
  CHECK(u.rcc_enabled);
  CHECK(u.problem == User::Problem::none);
  CHECK(u.dn == "CN=John Smith,OU=People,DC=example,DC=com");
  CHECK(u.telephone_number == "+1 425 555 4711");
  CHECK(u.display_name == "John Smith");

  // Attribute names compare without regard to case (servers return them as their schema spells
  // them); the map may be overridden.
  LdapConfig other = settings();
  other.attributes.user_id = "uid";
  LdapEntry e = plain();
  e.attributes.emplace_back("UID", std::vector<std::string>{"john"});
  CHECK(user_from_entry(e, other, true).id == "john");
}

TEST_CASE("bad records name the entry's DN and the attribute", "[directory][ldap][mapping]") {
  const LdapConfig c = settings();
  const std::string dn = "CN=John Smith,OU=People,DC=example,DC=com";
  SECTION("no user ID") {
    LdapEntry e = plain();
    remove(e, "sAMAccountName");
    const User u = user_from_entry(e, c, true);
    CHECK(u.problem == User::Problem::bad_entry);
    CHECK(u.problem_detail == dn + ": sAMAccountName (the user ID) is missing");
  }
  SECTION("a sign-in address that is not a sip: URI") {
    LdapEntry e = plain();
    set(e, "msRTCSIP-PrimaryUserAddress", {"john.smith@example.com"});
    const User u = user_from_entry(e, c, true);
    CHECK(u.problem == User::Problem::bad_entry);
    CHECK(u.problem_detail ==
          dn + ": msRTCSIP-PrimaryUserAddress 'john.smith@example.com' is not a sip: URI");
  }
  SECTION("the E.164 + dialstring mistake") {
    LdapEntry e = plain();
    set(e, "msRTCSIP-Line", {"tel:+14255554711;phone-context=dialstring"});
    const User u = user_from_entry(e, c, true);
    CHECK(u.rcc_enabled);
    CHECK(u.problem == User::Problem::bad_line);
    CHECK(u.problem_detail.rfind(dn +
                                     ": msRTCSIP-Line 'tel:+14255554711;phone-context=dialstring': "
                                     "global number with phone-context (an E.164 number",
                                 0) == 0);
  }
  SECTION("a line URI that does not parse") {
    LdapEntry e = plain();
    set(e, "msRTCSIP-Line", {"4711"});
    const User u = user_from_entry(e, c, true);
    CHECK(u.problem == User::Problem::bad_line);
    CHECK(u.problem_detail.rfind(dn + ": msRTCSIP-Line '4711': ", 0) == 0);
  }
  SECTION("E.164 without phone-context is a line") {
    LdapEntry e = plain();
    set(e, "msRTCSIP-Line", {"tel:+14255554711;ext=4711"});
    CHECK(user_from_entry(e, c, true).problem == User::Problem::none);
  }
}

TEST_CASE("why an entry is not an RCC user of this gateway", "[directory][ldap][mapping]") {
  const LdapConfig c = settings();
  const std::string dn = "CN=John Smith,OU=People,DC=example,DC=com: ";
  const auto why = [&](LdapEntry e, const LdapConfig& cfg) {
    const User u = user_from_entry(e, cfg, false);
    CHECK_FALSE(u.rcc_enabled);
    return u.problem_detail;
  };
  LdapEntry e = plain();
  set(e, "msRTCSIP-OptionFlags", {"256"});
  CHECK(why(e, c) ==
        dn + "msRTCSIP-OptionFlags 256 lacks bit 16: remote call control is not enabled");
  e = plain();
  set(e, "userAccountControl", {"514"});
  CHECK(why(e, c) == dn + "userAccountControl 514: the account is disabled (bit 2)");
  e = plain();
  set(e, "msRTCSIP-UserEnabled", {"FALSE"});
  CHECK(why(e, c) == dn + "msRTCSIP-UserEnabled is FALSE: the user is not enabled for OCS/Lync");
  e = plain();
  set(e, "msRTCSIP-LineServer", {"sip:rcc-gw@other.example.com"});
  CHECK(why(e, c) == dn + "msRTCSIP-LineServer is 'sip:rcc-gw@other.example.com': another "
                          "gateway's user (this gateway is sip:rcc-gw@gw.example.com)");
  e = plain();
  remove(e, "msRTCSIP-Line");
  CHECK(why(e, c) == dn + "msRTCSIP-Line is missing: the user has no line");
  CHECK(user_from_entry(e, c, false).problem == User::Problem::bad_line);
  // Line server compared without regard to case, as AD does.
  e = plain();
  set(e, "msRTCSIP-LineServer", {"SIP:RCC-GW@GW.EXAMPLE.COM"});
  CHECK(why(e, c).find("does not match the [directory.ldap] filter") != std::string::npos);

  // RCC by group membership.
  LdapConfig g = settings();
  g.rcc_group = "CN=RCC Users,OU=Groups,DC=example,DC=com";
  e = plain();
  set(e, "msRTCSIP-OptionFlags", {"256"});
  CHECK(why(e, g) ==
        dn + "not a member of CN=RCC Users,OU=Groups,DC=example,DC=com (memberOf): remote call "
             "control is not enabled");
  set(e, "memberOf", {"CN=Staff,DC=example,DC=com", "cn=rcc users,ou=groups,dc=example,dc=com"});
  CHECK(why(e, g).find("does not match") != std::string::npos);
}

TEST_CASE("an LDAP user's devices come from the directory file", "[directory][ldap][mapping]") {
  auto dir = parse_directory(R"(
[[device]]
name = "SEP000000004711"
lines = [{ dn = "4711", partition = "Internal" }]
[[device]]
name = "CIPC4711"
model = "Cisco IP Communicator"
lines = [{ dn = "4711", partition = "Internal" }]
[[device]]
name = "SEP000000004712"
lines = [{ dn = "4712", partition = "Other" }]
[[user]]
id = "mjones"
devices = ["SEP000000004712"]
)",
                             "dir.toml");
  REQUIRE(dir);
  User u = user_from_entry(plain(), settings(), true);
  attach_devices(u, *dir);
  CHECK(u.devices == std::vector<std::string>{"SEP000000004711", "CIPC4711"});
  u.line_uri = "tel:4712;phone-context=dialstring;partition=Internal";
  attach_devices(u, *dir);
  CHECK(u.devices.empty());
  // A [[user]] of the file with the same ID: its association wins.
  u.id = "MJONES";
  attach_devices(u, *dir);
  CHECK(u.devices == std::vector<std::string>{"SEP000000004712"});
}

TEST_CASE("with a configured filter, only the attributes it names explain a mismatch",
          "[directory][ldap][mapping]") {
  LdapConfig c = settings();
  c.filter = "(&(objectClass=inetOrgPerson)(ipPhone=*))";
  c.line_server.clear();
  c.attributes.line = "ipPhone";
  LdapEntry e = entry("uid=jo,ou=people,dc=example,dc=org", {{"uid", {"jo"}}});
  const User u = user_from_entry(e, c, false);
  CHECK(u.problem == User::Problem::bad_line);
  CHECK(u.problem_detail ==
        "uid=jo,ou=people,dc=example,dc=org: ipPhone is missing: the user has no line");
  set(e, "ipPhone", {"tel:4711;phone-context=dialstring"});
  CHECK(user_from_entry(e, c, false).problem_detail ==
        "uid=jo,ou=people,dc=example,dc=org: does not match the [directory.ldap] filter "
        "(&(objectClass=inetOrgPerson)(ipPhone=*))");
}
