// The LDAP user source against a real slapd (slapd_fixture.h): each lookup path, the records the
// gateway refuses, injection, paging past a server size limit of 1,000, the cache, and faults
// (wrong password, no server, server killed and back, a server that never answers, TLS).
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <optional>
#include <thread>

#include "directory/directory.h"
#include "directory/ldap_source.h"
#include "directory/slapd_fixture.h"
#include "directory/source_factory.h"
#include "rcc/user_lookup.h"

using namespace rcc::directory;
using rcc::test::Slapd;
using Clock = std::chrono::steady_clock;

namespace {

/// One slapd with the full directory for the read-only tests (made on first use).
Slapd& shared_slapd() {
  static Slapd s;
  return s;
}

LdapConfig settings(const Slapd& s) {
  LdapConfig c;
  c.servers = {s.uri()};
  c.bind_dn = Slapd::kBindDn;
  c.bind_password = "reader-secret";
  c.base = Slapd::kBase;
  c.line_server = Slapd::kLineServer;
  c.connect_timeout = std::chrono::milliseconds(2000);
  c.search_timeout = std::chrono::milliseconds(3000);
  c.reconnect_max = std::chrono::milliseconds(1000);
  c.warm_cache = false;
  return c;
}

const FileDirectory& devices() {
  static FileDirectory d = [] {
    auto r =
        load_directory_file(std::string(std::getenv("RCC_TEST_DATA")) + "/ldap/directory.toml");
    REQUIRE(r);
    return std::move(*r);
  }();
  return d;
}

using Answer = rcc::Result<std::optional<User>>;

/// A source on its own io_context; each call runs the loop until the answer (bounded).
struct Source {
  boost::asio::io_context ioc;
  std::unique_ptr<LdapUserSource> src;

  explicit Source(const LdapConfig& c)
      : src(std::make_unique<LdapUserSource>(c, devices(), ioc.get_executor())) {}
  ~Source() { src.reset(); }

  template <class T>
  T run_until(std::optional<T>& slot, std::chrono::seconds limit = std::chrono::seconds(30)) {
    const auto end = Clock::now() + limit;
    while (!slot && Clock::now() < end) {
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(5));
    }
    REQUIRE(slot);
    return std::move(*slot);
  }

  Answer by(char kind, const std::string& key) {
    std::optional<Answer> slot;
    auto done = [&](Answer a) { slot.emplace(std::move(a)); };
    if (kind == 'i') src->by_id(key, done);
    if (kind == 'e') src->by_email(key, done);
    if (kind == 's') src->by_sip_uri(key, done);
    return run_until(slot);
  }
  Answer id(const std::string& k) { return by('i', k); }

  rcc::Result<std::vector<User>> all() {
    std::optional<rcc::Result<std::vector<User>>> slot;
    src->all_users([&](rcc::Result<std::vector<User>> r) { slot.emplace(std::move(r)); });
    return run_until(slot, std::chrono::seconds(60));
  }

  /// Runs the loop for a while (answers of the worker are delivered meanwhile).
  void spin(std::chrono::milliseconds d) {
    const auto end = Clock::now() + d;
    while (Clock::now() < end) {
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(5));
    }
  }
};

std::string found_id(const Answer& a) {
  if (!a) return "error: " + a.error().message();
  return *a ? (*a)->id : std::string("nobody");
}

}  // namespace

TEST_CASE("slapd: each lookup path", "[ldap][slapd]") {
  Source s(settings(shared_slapd()));
  CHECK(found_id(s.id("jsmith")) == "jsmith");
  CHECK(found_id(s.by('e', "john.smith@example.com")) == "jsmith");
  CHECK(found_id(s.by('s', "sip:john.smith@example.com")) == "jsmith");
  CHECK(found_id(s.by('s', "sip:mary@example.com")) == "mjones");
  CHECK(found_id(s.id("nobody")) == "nobody");
  CHECK(found_id(s.by('e', "mary@example.com")) == "nobody");
  // Mixed case in the directory and in the key.
  CHECK(found_id(s.id("jackm")) == "JackM");
  CHECK(found_id(s.by('e', "JACK.MILLER@example.com")) == "JackM");
  CHECK(found_id(s.by('s', "sip:jack@example.com")) == "JackM");

  auto a = s.id("jsmith");
  REQUIRE(a);
  REQUIRE(*a);
  const User& u = **a;
  CHECK(u.rcc_enabled);
  CHECK(u.problem == User::Problem::none);
  CHECK(u.email == "john.smith@example.com");
  CHECK(u.ocs_primary_address == "sip:john.smith@example.com");
  CHECK(u.line_uri == "tel:6001;phone-context=dialstring");
  CHECK(u.telephone_number == "+1 425 555 6001");
  CHECK(u.display_name == "John Smith");
  CHECK(u.dn == "cn=John Smith,ou=people,dc=example,dc=com");
  CHECK(u.devices == std::vector<std::string>{"SEP000000006001"});

  // The gateway's order: user ID, e-mail, then the sign-in address.
  std::optional<rcc::gateway::UserLookup> found;
  rcc::gateway::lookup_user(*s.src, "sip:mary@example.com;transport=tcp",
                            [&](rcc::gateway::UserLookup l) { found.emplace(std::move(l)); });
  const auto l = s.run_until(found);
  REQUIRE(l.user);
  CHECK(l.user->id == "mjones");
  CHECK(l.by == rcc::gateway::MatchedBy::ocs_primary_address);
  CHECK(l.tried.size() == 3);
}

TEST_CASE("slapd: the records the gateway must refuse say why", "[ldap][slapd]") {
  Source s(settings(shared_slapd()));
  const auto user = [&](const std::string& id) {
    auto a = s.id(id);
    REQUIRE(a);
    REQUIRE(*a);
    return **a;
  };
  const std::string people = ",ou=people,dc=example,dc=com: ";
  User u = user("roff");
  CHECK_FALSE(u.rcc_enabled);
  CHECK(u.problem_detail ==
        "cn=Rob Off" + people +
            "msRTCSIP-OptionFlags 256 lacks bit 16: remote call control is not enabled");
  u = user("ddisabled");
  CHECK_FALSE(u.rcc_enabled);
  CHECK(u.problem_detail ==
        "cn=Dan Disabled" + people + "userAccountControl 514: the account is disabled (bit 2)");
  u = user("oother");
  CHECK_FALSE(u.rcc_enabled);
  CHECK(u.problem_detail.find("msRTCSIP-LineServer is 'sip:rcc-gw@other.example.com': another "
                              "gateway's user") != std::string::npos);
  u = user("nnoline");
  CHECK(u.problem == User::Problem::bad_line);
  CHECK(u.problem_detail ==
        "cn=Nora Noline" + people + "msRTCSIP-Line is missing: the user has no line");
  u = user("edial");
  CHECK(u.rcc_enabled);
  CHECK(u.problem == User::Problem::bad_line);
  CHECK(u.problem_detail.find("cn=Eve Dialstring" + people +
                              "msRTCSIP-Line 'tel:+14255556007;phone-context=dialstring': global "
                              "number with phone-context") == 0);
  u = user("sshared");
  CHECK(u.problem == User::Problem::bad_entry);
  CHECK(u.problem_detail.find("cn=Sam Shared" + people +
                              "msRTCSIP-Line 'tel:6008;phone-context=dialstring' is also the "
                              "line of cn=Sue Shared,ou=people,dc=example,dc=com") == 0);
  // Two entries for one key: the e-mail address of Pat and Pam Dup.
  auto dup = s.by('e', "p.dup@example.com");
  REQUIRE(dup);
  REQUIRE(*dup);
  CHECK((*dup)->problem == User::Problem::bad_entry);
  CHECK((*dup)->problem_detail.find("mail 'p.dup@example.com' is on 2 RCC users: cn=Pa") == 0);
  CHECK(found_id(s.id("pdup")) == "pdup");  // by user ID each is found alone
  u = user("pdup");
  CHECK(u.problem == User::Problem::none);
  u = user("sushared");
  CHECK(u.problem == User::Problem::bad_entry);
  CHECK(u.problem_detail.find("is also the line of cn=Sam Shared") != std::string::npos);
}

TEST_CASE("slapd: RCC by group membership", "[ldap][slapd]") {
  LdapConfig c = settings(shared_slapd());
  c.rcc_group = "cn=RCC Users,ou=groups,dc=example,dc=com";
  Source s(c);
  auto a = s.id("ghopper");
  REQUIRE(a);
  REQUIRE(*a);
  CHECK((*a)->rcc_enabled);
  a = s.id("jsmith");  // option flags say RCC, but not in the group
  REQUIRE(a);
  REQUIRE(*a);
  CHECK_FALSE((*a)->rcc_enabled);
  CHECK((*a)->problem_detail.find("not a member of cn=RCC Users") != std::string::npos);
}

TEST_CASE("slapd: filter syntax in a key finds nobody", "[ldap][slapd]") {
  Source s(settings(shared_slapd()));
  for (const char* key :
       {"*)(uid=*", "*", "jsm*", "*)(|(sAMAccountName=*", "\\6asmith", "ivan)(", "ivan\\29"}) {
    INFO(key);
    CHECK(found_id(s.id(key)) == "nobody");
    CHECK(found_id(s.by('e', std::string(key) + "@example.com")) == "nobody");
    CHECK(found_id(s.by('s', std::string("sip:") + key + "@example.com")) == "nobody");
  }
  CHECK(found_id(s.by('e', "*")) == "nobody");
  CHECK(found_id(s.by('s', "sip:*")) == "nobody");
}

TEST_CASE("slapd: all 5,000 users read page by page past a size limit of 1,000", "[ldap][slapd]") {
  Slapd& slapd = shared_slapd();
  // The server does stop a plain search at 1,000 entries.
  CHECK(std::system(("ldapsearch -x -LLL -H " + slapd.uri() + " -D " + Slapd::kBindDn +
                     " -w reader-secret -b " + Slapd::kBase +
                     " '(sAMAccountName=user*)' 1.1 >/dev/null 2>&1")
                        .c_str()) != 0);
  for (const int page : {500, 1000}) {
    LdapConfig c = settings(slapd);
    c.page_size = page;
    Source s(c);
    const auto all = s.all();
    REQUIRE(all);
    CHECK(all->size() == 5009);  // 5,000 generated and 9 of users.ldif
    std::size_t generated = 0, shared = 0;
    for (const auto& u : *all) {
      if (u.id.rfind("user", 0) == 0) ++generated;
      if (u.problem == User::Problem::bad_entry) ++shared;
    }
    CHECK(generated == 5000);
    CHECK(shared == 2);  // sshared and sushared (a shared e-mail is a lookup problem only)
    const auto st = s.src->stats();
    CHECK(st.searches == std::uint64_t(5009 / page + 1));
    CHECK(st.bulk_reads == 1);
    // The read filled the cache: lookups of those users cost no search.
    CHECK(found_id(s.id("user04321")) == "user04321");
    CHECK(found_id(s.by('s', "sip:USER00007@example.com")) == "user00007");
    CHECK(s.src->stats().searches == st.searches);
    CHECK(s.src->stats().cache_hits == 2);
  }
}

TEST_CASE("slapd: the cache answers repeated and concurrent lookups", "[ldap][slapd]") {
  Source s(settings(shared_slapd()));
  CHECK(found_id(s.id("jsmith")) == "jsmith");
  const auto first = s.src->stats().searches;
  CHECK(found_id(s.id("JSMITH")) == "jsmith");
  CHECK(found_id(s.id("nobody")) == "nobody");
  const auto after_nobody = s.src->stats().searches;
  CHECK(found_id(s.id("nobody")) == "nobody");
  CHECK(s.src->stats().searches == after_nobody);
  CHECK(after_nobody - first == 2);  // "nobody": the RCC search, then the one that tells why
  // A storm of one user's sign-ins: one search.
  int answered = 0;
  for (int i = 0; i < 50; ++i)
    s.src->by_id("user01234", [&](Answer a) {
      CHECK(found_id(a) == "user01234");
      ++answered;
    });
  std::optional<bool> all_done;
  const auto end = Clock::now() + std::chrono::seconds(20);
  while (answered < 50 && Clock::now() < end) {
    s.ioc.restart();
    s.ioc.run_for(std::chrono::milliseconds(5));
  }
  CHECK(answered == 50);
  const auto st = s.src->stats();
  CHECK(st.searches - after_nobody == 2);  // the user, and the shared-line check
  CHECK(st.coalesced == 49);
  CHECK(st.cache_hits == 2);
}

TEST_CASE("slapd: a user removed from the directory is refused once the TTL runs out",
          "[ldap][slapd]") {
  Slapd slapd({false, 10, 1000, ""});
  LdapConfig c = settings(slapd);
  c.cache_ttl = std::chrono::seconds(1);
  Source s(c);
  CHECK(found_id(s.id("ivan")) == "ivan");
  rcc::test::run_command("ldapdelete -x -H " + slapd.uri() +
                         " -D cn=admin,dc=example,dc=com -w admin-secret "
                         "'cn=Ivan Injection,ou=people,dc=example,dc=com'");
  CHECK(found_id(s.id("ivan")) == "ivan");  // cached
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(found_id(s.id("ivan")) == "nobody");
}

TEST_CASE("slapd: faults are named and never make a lookup wait", "[ldap][slapd]") {
  Slapd& slapd = shared_slapd();
  SECTION("wrong bind password") {
    LdapConfig c = settings(slapd);
    c.bind_password = "wrong";
    Source s(c);
    auto a = s.id("jsmith");
    REQUIRE_FALSE(a);
    CHECK(a.error().code() == LdapErrc::bind_refused);
    CHECK(a.error().message() == slapd.uri() + ": bind as " + Slapd::kBindDn +
                                     ": Invalid credentials; check bind-dn and bind-password-file");
    // Known down now: the next lookup is answered at once.
    const auto t0 = Clock::now();
    auto b = s.id("mjones");
    CHECK_FALSE(b);
    CHECK(Clock::now() - t0 < std::chrono::milliseconds(200));
    CHECK(s.src->stats().all_down);
    CHECK(s.src->stats().servers_down == 1);
  }
  SECTION("no server listening") {
    LdapConfig c = settings(slapd);
    c.servers = {"ldap://127.0.0.1:1"};
    Source s(c);
    auto a = s.id("jsmith");
    REQUIRE_FALSE(a);
    CHECK(a.error().code() == LdapErrc::unavailable);
    CHECK(a.error().message().find("ldap://127.0.0.1:1: bind as " + std::string(Slapd::kBindDn) +
                                   ": Can't contact LDAP server") == 0);
  }
  SECTION("the first server down, the second answers") {
    LdapConfig c = settings(slapd);
    c.servers = {"ldap://127.0.0.1:1", slapd.uri()};
    Source s(c);
    CHECK(found_id(s.id("jsmith")) == "jsmith");
    const auto st = s.src->stats();
    CHECK(st.servers_up == 1);
    CHECK(st.servers_down == 1);
  }
  SECTION("the search base does not exist") {
    LdapConfig c = settings(slapd);
    c.base = "ou=nowhere,dc=example,dc=com";
    Source s(c);
    auto a = s.id("jsmith");
    REQUIRE_FALSE(a);
    CHECK(a.error().code() == LdapErrc::base_not_found);
    CHECK(a.error().message() == slapd.uri() +
                                     ": search base 'ou=nowhere,dc=example,dc=com' not found "
                                     "([directory.ldap] base)");
  }
  SECTION("a server that accepts the connection and never answers") {
    const int l = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(l, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(l, 8) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(l, reinterpret_cast<sockaddr*>(&addr), &len);
    LdapConfig c = settings(slapd);
    c.servers = {"ldap://127.0.0.1:" + std::to_string(ntohs(addr.sin_port))};
    c.search_timeout = std::chrono::milliseconds(1000);
    Source s(c);
    const auto t0 = Clock::now();
    auto a = s.id("jsmith");
    const auto took = Clock::now() - t0;
    REQUIRE_FALSE(a);
    INFO(a.error().message());
    CHECK(a.error().code() == LdapErrc::timeout);
    CHECK(took < std::chrono::milliseconds(5000));
    s.src.reset();
    ::close(l);
  }
}

TEST_CASE("slapd: killed while serving, then back", "[ldap][slapd]") {
  Slapd slapd({false, 10, 1000, ""});
  LdapConfig c = settings(slapd);
  c.cache_ttl = std::chrono::seconds(1);
  Source s(c);
  CHECK(found_id(s.id("jsmith")) == "jsmith");
  slapd.kill();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // past the TTL
  // A cached user is served, stale, while the server is down.
  const auto t0 = Clock::now();
  CHECK(found_id(s.id("jsmith")) == "jsmith");
  CHECK(s.src->stats().stale_served == 1);
  // Anybody else is refused at once, with the reason.
  auto m = s.id("mjones");
  REQUIRE_FALSE(m);
  CHECK(m.error().code() == LdapErrc::unavailable);
  CHECK(m.error().message().find("Can't contact LDAP server") != std::string::npos);
  CHECK(Clock::now() - t0 < std::chrono::milliseconds(1000));
  CHECK(s.src->stats().all_down);
  // Back: the worker reconnects in the background (reconnect-max 1 s).
  slapd.start();
  s.spin(std::chrono::milliseconds(2500));
  CHECK_FALSE(s.src->stats().all_down);
  CHECK(found_id(s.id("mjones")) == "mjones");
}

TEST_CASE("slapd: LDAPS and StartTLS with an rcc-csr CA, a name mismatch refused",
          "[ldap][slapd][tls]") {
  Slapd slapd({true, 0, 1000, ""});
  LdapConfig c = settings(slapd);
  c.ca_file = slapd.ca_file();
  SECTION("ldaps://") {
    c.servers = {slapd.ldaps_uri()};
    Source s(c);
    CHECK(found_id(s.id("jsmith")) == "jsmith");
  }
  SECTION("StartTLS") {
    c.servers = {slapd.uri()};
    c.start_tls = true;
    Source s(c);
    CHECK(found_id(s.id("jsmith")) == "jsmith");
  }
  SECTION("ldaps:// to a name the certificate does not carry") {
    c.servers = {"ldaps://127.0.0.2:" + std::to_string(slapd.ldaps_port())};
    Source s(c);
    auto a = s.id("jsmith");
    REQUIRE_FALSE(a);
    CHECK(a.error().code() == LdapErrc::tls_failed);
    INFO(a.error().message());
    CHECK(a.error().message() == "ldaps://127.0.0.2:" + std::to_string(slapd.ldaps_port()) +
                                     ": TLS handshake failed: hostname (127.0.0.2) does not "
                                     "match common name in certificate (rcc-ldap-test.invalid)");
  }
  SECTION("StartTLS to a name the certificate does not carry") {
    c.servers = {"ldap://127.0.0.2:" + std::to_string(slapd.port())};
    c.start_tls = true;
    Source s(c);
    auto a = s.id("jsmith");
    REQUIRE_FALSE(a);
    CHECK(a.error().code() == LdapErrc::tls_failed);
    CHECK(a.error().message() == "ldap://127.0.0.2:" + std::to_string(slapd.port()) +
                                     ": StartTLS: TLS handshake failed: hostname (127.0.0.2) does "
                                     "not match common name in certificate "
                                     "(rcc-ldap-test.invalid)");
  }
  SECTION("a CA that did not sign the server's certificate") {
    rcc::test::run_command(rcc::test::built_tool("tools/rcc-csr/rcc-csr") + " -q ca init --dir " +
                           slapd.dir() + "/other-ca --cn 'another CA'");
    c.ca_file = slapd.dir() + "/other-ca/ca.crt";
    c.servers = {slapd.ldaps_uri()};
    Source s(c);
    auto a = s.id("jsmith");
    REQUIRE_FALSE(a);
    INFO(a.error().message());
    CHECK(a.error().code() == LdapErrc::tls_failed);
    CHECK(a.error().message().find("TLS handshake failed: peer cert untrusted or revoked") !=
          std::string::npos);
    CHECK(a.error().message().find("does not chain to ca-file") != std::string::npos);
  }
  SECTION("TLS 1.3 minimum still connects to a TLS 1.3 server") {
    c.servers = {slapd.ldaps_uri()};
    c.tls_min_13 = true;
    Source s(c);
    CHECK(found_id(s.id("jsmith")) == "jsmith");
  }
}

TEST_CASE("slapd: the factory builds the source [directory] names", "[ldap][slapd]") {
  boost::asio::io_context ioc;
  DirectoryConfig file;
  auto f = make_user_source(file, devices(), ioc.get_executor());
  CHECK_FALSE(ldap_stats(*f));
  DirectoryConfig ldap;
  ldap.source = SourceKind::ldap;
  ldap.ldap = settings(shared_slapd());
  ldap.ldap.warm_cache = true;
  auto l = make_user_source(ldap, devices(), ioc.get_executor());
  // The warm-up reads every RCC user; then a lookup is a cache hit.
  const auto end = Clock::now() + std::chrono::seconds(30);
  while (ldap_stats(*l)->bulk_reads == 0 && Clock::now() < end) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(10));
  }
  CHECK(ldap_stats(*l)->cache_entries >= 5009);
  std::optional<Answer> a;
  l->by_id("user00001", [&](Answer r) { a.emplace(std::move(r)); });
  REQUIRE(a);  // answered at once, from the cache
  CHECK(found_id(*a) == "user00001");
}

TEST_CASE("slapd: tls-min-version is enforced", "[ldap][slapd][tls]") {
  Slapd slapd({true, 0, 1000, "NORMAL:-VERS-ALL:+VERS-TLS1.2"});  // a server without TLS 1.3
  LdapConfig c = settings(slapd);
  c.ca_file = slapd.ca_file();
  c.servers = {slapd.ldaps_uri()};
  {
    Source s(c);
    CHECK(found_id(s.id("jsmith")) == "jsmith");  // TLS 1.2 is enough by default
  }
  c.tls_min_13 = true;
  Source s(c);
  auto a = s.id("jsmith");
  REQUIRE_FALSE(a);
  INFO(a.error().message());
  CHECK(a.error().code() == LdapErrc::tls_failed);
  CHECK(a.error().message().find("no TLS version in common? (tls-min-version is 1.3)") !=
        std::string::npos);
}

TEST_CASE("slapd: a server offering TLS 1.1 only is refused", "[ldap][slapd][tls]") {
  Slapd slapd({true, 0, 1000, "NORMAL:-VERS-ALL:+VERS-TLS1.1"});
  LdapConfig c = settings(slapd);
  c.ca_file = slapd.ca_file();
  c.servers = {slapd.ldaps_uri()};
  Source s(c);
  auto a = s.id("jsmith");
  REQUIRE_FALSE(a);
  INFO(a.error().message());
  CHECK(a.error().code() == LdapErrc::tls_failed);
  CHECK(a.error().message().find("no TLS version in common? (tls-min-version is 1.2)") !=
        std::string::npos);
}

TEST_CASE("closing the source neither waits for a hung server nor forgets a caller",
          "[ldap][slapd]") {
  // A server that accepts the connection and never answers: the worker hangs in its bind.
  const int l = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(l, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(l, 8) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(l, reinterpret_cast<sockaddr*>(&addr), &len);
  LdapConfig c = settings(shared_slapd());
  c.servers = {"ldap://127.0.0.1:" + std::to_string(ntohs(addr.sin_port))};
  c.search_timeout = std::chrono::milliseconds(3000);
  boost::asio::io_context ioc;
  auto src = std::make_unique<LdapUserSource>(c, devices(), ioc.get_executor());
  std::optional<Answer> a;
  src->by_id("jsmith", [&](Answer r) { a.emplace(std::move(r)); });
  ioc.run_for(std::chrono::milliseconds(200));  // the worker is in its bind now
  CHECK_FALSE(a);
  const auto t0 = Clock::now();
  src.reset();
  CHECK(Clock::now() - t0 < std::chrono::milliseconds(1000));
  ioc.restart();
  ioc.run_for(std::chrono::milliseconds(200));
  REQUIRE(a);
  REQUIRE_FALSE(*a);
  CHECK(a->error().message() == "the LDAP user source was closed (configuration reload or stop)");
  ::close(l);
}

TEST_CASE("the source connects only once the loop runs", "[ldap][slapd]") {
  boost::asio::io_context ioc;
  LdapConfig c = settings(shared_slapd());
  c.warm_cache = true;
  LdapUserSource src(c, devices(), ioc.get_executor());
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(src.stats().connects == 0);  // as with --check-config, which never runs the loop
  const auto end = Clock::now() + std::chrono::seconds(20);
  while (src.stats().bulk_reads == 0 && Clock::now() < end) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(10));
  }
  CHECK(src.stats().connects == 1);
  CHECK(src.stats().bulk_reads == 1);
}
