// Device selection and user lookup: every rule of rcc/device_selection.h in both server modes,
// and the lookup order of rcc/user_lookup.h.

#include <catch2/catch.hpp>

#include <functional>
#include <optional>

#include "rcc/device_selection.h"
#include "rcc/user_lookup.h"

using namespace rcc;
using gateway::Refusal;
using gateway::ServerMode;

namespace {

const char* kDir = R"(
[[device]]
name = "SEPDESK"
model = "Cisco 7975"
registered = true
lines = [{ dn = "100", partition = "P1" }]
[[device]]
name = "CIPCSOFT"
model = "Cisco IP Communicator"
registered = true
lines = [{ dn = "100", partition = "P1" }]
[[device]]
name = "CIPCOFF"
model = "Cisco IP Communicator"
registered = false
lines = [{ dn = "101" }]
[[device]]
name = "SEPHARD"
model = "Cisco 7942"
registered = true
lines = [{ dn = "101" }]
[[device]]
name = "SEPA"
model = "Cisco 7942"
registered = true
lines = [{ dn = "102" }]
[[device]]
name = "SEPB"
model = "Cisco 8845"
registered = true
lines = [{ dn = "102" }]
[[device]]
name = "SEPC"
model = "Cisco 8845"
registered = true
lines = [{ dn = "102" }]
[[device]]
name = "SEPEM"
model = "Cisco 8845"
registered = true
lines = [{ dn = "103" }]

[[user]]
id = "one"
email = "the.one@example.com"
ocs-primary-address = "sip:first.one@example.com"
rcc-enabled = true
line-uri = "tel:103;phone-context=dialstring"
devices = ["SEPEM"]
[[user]]
id = "shared"
rcc-enabled = true
line-uri = "tel:100;phone-context=dialstring"
devices = ["SEPDESK", "CIPCSOFT"]
[[user]]
id = "offline"
rcc-enabled = true
line-uri = "tel:101;phone-context=dialstring"
devices = ["CIPCOFF", "SEPHARD"]
[[user]]
id = "both"
rcc-enabled = true
line-uri = "tel:102;phone-context=dialstring"
devices = ["SEPA", "SEPB"]
[[user]]
id = "three"
rcc-enabled = true
line-uri = "tel:102;phone-context=dialstring"
devices = ["SEPA", "SEPB", "SEPC"]
[[user]]
id = "mobile"
rcc-enabled = true
line-uri = "tel:102;phone-context=dialstring"
devices = ["SEPA", "SEPB"]
extension-mobility = "SEPC"
)";

const directory::FileDirectory& dir() {
  static const auto d = [] {
    auto parsed = directory::parse_directory(kDir, "selection.toml");
    REQUIRE(parsed);
    return std::move(*parsed);
  }();
  return d;
}

gateway::DeviceChoice pick(const std::string& user, const std::string& line, ServerMode mode,
                           const gateway::Registered& registered = {}) {
  const auto* u = dir().user_by_id(user);
  REQUIRE(u != nullptr);
  auto parsed = csta::parse_line_uri(line);
  REQUIRE(parsed);
  auto reg = registered ? registered : [](const directory::Device& d) { return d.registered; };
  return gateway::select_device(dir(), *u, *parsed, mode, reg);
}

}  // namespace

TEST_CASE("device selection follows the reference rules in both modes", "[gateway][selection]") {
  for (const auto mode : {ServerMode::ocs, ServerMode::lcs}) {
    INFO((mode == ServerMode::ocs ? "ocs" : "lcs"));
    // One device on the DN.
    auto c = pick("one", "tel:103;phone-context=dialstring", mode);
    CHECK(c.refusal == Refusal::none);
    CHECK(c.devices == std::vector<std::string>{"SEPEM"});
    // device= names one of the DN's devices; partition= must match when given.
    c = pick("shared", "tel:100;phone-context=dialstring;device=SEPDESK;partition=P1", mode);
    CHECK(c.devices == std::vector<std::string>{"SEPDESK"});
    c = pick("shared", "tel:100;phone-context=dialstring;device=SEPDESK;partition=P2", mode);
    CHECK(c.refusal == Refusal::device_not_on_line);
    c = pick("shared", "tel:100;phone-context=dialstring;device=SEPHARD", mode);
    CHECK(c.refusal == Refusal::device_not_on_line);
    // Shared line of two: the registered IP Communicator...
    c = pick("shared", "tel:100;phone-context=dialstring", mode);
    CHECK(c.devices == std::vector<std::string>{"CIPCSOFT"});
    // ...else the other device when the Communicator is not registered...
    c = pick("offline", "tel:101;phone-context=dialstring", mode);
    CHECK(c.devices == std::vector<std::string>{"SEPHARD"});
    // ...registration as the CTI side reports it, not the directory's flag.
    c = pick("shared", "tel:100;phone-context=dialstring", mode,
             [](const directory::Device& d) { return d.name != "CIPCSOFT"; });
    CHECK(c.devices == std::vector<std::string>{"SEPDESK"});
    // ...else both ring and the answered one is controlled.
    c = pick("both", "tel:102;phone-context=dialstring", mode);
    CHECK(c.refusal == Refusal::none);
    CHECK(c.devices == std::vector<std::string>{"SEPA", "SEPB"});
  }
  // Three or more without device=: ambiguous in OCS mode, over the limit in LCS mode.
  CHECK(pick("three", "tel:102;phone-context=dialstring", ServerMode::ocs).refusal ==
        Refusal::ambiguous_device);
  CHECK(pick("three", "tel:102;phone-context=dialstring;device=SEPB", ServerMode::ocs).devices ==
        std::vector<std::string>{"SEPB"});
  CHECK(pick("three", "tel:102;phone-context=dialstring;device=SEPB", ServerMode::lcs).refusal ==
        Refusal::too_many_devices);
  // An Extension Mobility login counts as one of the user's devices.
  CHECK(pick("mobile", "tel:102;phone-context=dialstring", ServerMode::lcs).refusal ==
        Refusal::too_many_devices);
  CHECK(pick("mobile", "tel:102;phone-context=dialstring", ServerMode::ocs).refusal ==
        Refusal::ambiguous_device);
}

namespace {

gateway::UserLookup lookup(directory::UserSource& users, const std::string& from) {
  std::optional<gateway::UserLookup> got;
  gateway::lookup_user(users, from, [&](gateway::UserLookup r) { got = std::move(r); });
  REQUIRE(got.has_value());  // the directory file answers at once
  return std::move(*got);
}

/// A source that answers later, as an LDAP server would, or fails.
struct LateUsers : directory::UserSource {
  directory::DirectoryUsers inner{dir()};
  std::vector<std::function<void()>> queued;
  bool broken = false;
  void later(std::function<void(Done)> ask, Done done) {
    queued.push_back([this, ask, done] {
      if (broken) return done(Error(rcc::Errc::invalid_argument, "server down"));
      ask(done);
    });
  }
  void by_id(std::string_view id, Done done) override {
    later([this, id = std::string(id)](Done d) { inner.by_id(id, d); }, done);
  }
  void by_email(std::string_view e, Done done) override {
    later([this, e = std::string(e)](Done d) { inner.by_email(e, d); }, done);
  }
  void by_sip_uri(std::string_view u, Done done) override {
    later([this, u = std::string(u)](Done d) { inner.by_sip_uri(u, d); }, done);
  }
  void all_users(DoneAll done) override { inner.all_users(std::move(done)); }
  void run() {
    for (int i = 0; i < 10 && !queued.empty(); ++i) {
      auto q = std::move(queued);
      queued.clear();
      for (auto& f : q)
        f();
    }
  }
};

}  // namespace

TEST_CASE("user lookup tries the user ID, then the e-mail, then the ocsPrimaryAddress",
          "[gateway][lookup]") {
  directory::DirectoryUsers users(dir());
  auto m = lookup(users, "sip:one@example.com");
  REQUIRE(m.user.has_value());
  CHECK(m.by == gateway::MatchedBy::user_id);
  m = lookup(users, "sip:first.one@example.com;transport=tls");
  REQUIRE(m.user.has_value());
  CHECK(m.user->id == "one");
  CHECK(m.by == gateway::MatchedBy::ocs_primary_address);
  CHECK(m.tried.size() == 3);
  m = lookup(users, "sip:The.One@EXAMPLE.COM");
  REQUIRE(m.user.has_value());  // e-mail addresses compare case-insensitively
  CHECK(m.user->id == "one");
  CHECK(m.by == gateway::MatchedBy::email);
  m = lookup(users, "sip:nobody@example.com");
  CHECK_FALSE(m.user.has_value());
  CHECK_FALSE(m.error.has_value());
  CHECK(m.tried.size() == 3);
}

TEST_CASE("user lookup waits for a source that answers later, and reports one that fails",
          "[gateway][lookup]") {
  LateUsers users;
  std::optional<gateway::UserLookup> got;
  gateway::lookup_user(users, "sip:first.one@example.com",
                       [&](gateway::UserLookup r) { got = std::move(r); });
  CHECK_FALSE(got.has_value());  // nothing answered yet
  users.run();
  REQUIRE(got.has_value());
  REQUIRE(got->user.has_value());
  CHECK(got->by == gateway::MatchedBy::ocs_primary_address);
  users.broken = true;
  got.reset();
  gateway::lookup_user(users, "sip:one@example.com",
                       [&](gateway::UserLookup r) { got = std::move(r); });
  users.run();
  REQUIRE(got.has_value());
  CHECK_FALSE(got->user.has_value());
  REQUIRE(got->error.has_value());
  CHECK(got->tried.size() == 1);  // the first failure ends the lookup: no wrong "unknown user"
}
