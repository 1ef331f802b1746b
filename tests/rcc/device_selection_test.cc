// Device selection and user lookup: every rule of rcc/device_selection.h in both server modes,
// and the lookup order of rcc/user_lookup.h.

#include <catch2/catch.hpp>

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

TEST_CASE("user lookup tries the user ID, then the e-mail, then the ocsPrimaryAddress",
          "[gateway][lookup]") {
  auto m = gateway::find_user(dir(), "sip:one@example.com");
  REQUIRE(m.user != nullptr);
  CHECK(m.by == gateway::MatchedBy::user_id);
  m = gateway::find_user(dir(), "sip:first.one@example.com;transport=tls");
  REQUIRE(m.user != nullptr);
  CHECK(m.user->id == "one");
  CHECK(m.by == gateway::MatchedBy::ocs_primary_address);
  CHECK(m.tried.size() == 3);
  m = gateway::find_user(dir(), "sip:The.One@EXAMPLE.COM");
  REQUIRE(m.user != nullptr);  // e-mail addresses compare case-insensitively
  CHECK(m.user->id == "one");
  CHECK(m.by == gateway::MatchedBy::email);
  m = gateway::find_user(dir(), "sip:nobody@example.com");
  CHECK(m.user == nullptr);
  CHECK(m.tried.size() == 3);
}
