// Shared lines in the gateway, in-process with the simulator's call model (gateway_harness.h):
// registration asked of the CTI node at sign-in (the node's answer beats the directory's flag;
// the flag stands in when the node cannot tell), and two devices that both ring, the session
// controlling the one the user answers on.

#include <catch2/catch.hpp>

#include <cstdlib>

#include "cti/frame.h"
#include "rcc/gateway_harness.h"

using namespace rcc;
using gateway::test::Client;
using gateway::test::Harness;

namespace {

const directory::FileDirectory& dir() {
  static const auto d = [] {
    const char* root = std::getenv("RCC_TEST_DATA");
    auto loaded = directory::load_directory_file(std::string(root ? root : "tests/data") +
                                                 "/gateway/shared_lines.toml");
    REQUIRE(loaded);
    return std::move(*loaded);
  }();
  return d;
}

const std::string kFrank = "tel:5101;phone-context=dialstring";
const std::string kGrace = "tel:5102;phone-context=dialstring";
const std::string kHeidi = "tel:5103;phone-context=dialstring";
const std::string kIvan = "tel:5104;phone-context=dialstring";
const std::string kNs = "xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\"";

Client client(const std::string& user, const std::string& tag) {
  return Client::of(user, tag);
}

gateway::Settings lcs() {
  gateway::Settings s;
  s.mode = gateway::ServerMode::lcs;
  return s;
}

/// The only session's state (each test case signs one user in at a time where it reads this).
const gateway::Session& only_session(Harness& h) {
  const auto ids = h.gateway.sessions().all();
  REQUIRE(ids.size() == 1);
  return *h.gateway.sessions().find(ids.front());
}

/// Which SnapshotDevice requests went to the node, by snapshotObject.
struct SnapshotSpy {
  std::vector<std::string> asked;
  std::optional<Result<csta::Message>> operator()(const csta::Body& b) {
    if (const auto* s = std::get_if<csta::SnapshotDevice>(&b)) asked.push_back(s->snapshot_object);
    return std::nullopt;
  }
};

std::string monitor_start(const std::string& line) {
  return "<MonitorStart " + kNs + "><monitorObject><deviceObject>" + line +
         "</deviceObject></monitorObject></MonitorStart>";
}
std::string make_call(const std::string& from, const std::string& to) {
  return "<MakeCall " + kNs + "><callingDevice>" + from +
         "</callingDevice><calledDirectoryNumber>" + to +
         "</calledDirectoryNumber><autoOriginate>doNotPrompt</autoOriginate></MakeCall>";
}
std::string answer_call(const std::string& call, const std::string& line) {
  return "<AnswerCall " + kNs + "><callToBeAnswered><callID>" + call + "</callID><deviceID>" +
         line + "</deviceID></callToBeAnswered></AnswerCall>";
}

/// The node's own SnapshotDevice of a device by name: the calls it rings or carries, and
/// their states.
std::vector<std::string> calls_at(Harness& h, const std::string& device) {
  std::vector<ctisim::Out> out;
  h.cti.world(0).handle(99, 1, csta::SnapshotDevice{device}, out);
  REQUIRE(!out.empty());
  const auto* r = std::get_if<csta::SnapshotDeviceResponse>(&out.front().body);
  REQUIRE(r != nullptr);
  std::vector<std::string> states;
  for (const auto& c : r->calls)
    states.push_back(c.connection.call_id + ":" + c.local_connection_state);
  return states;
}

/// The client's callID in the last DeliveredEvent the client got.
std::string delivered_call(Harness& h, const Client& c) {
  const auto& ev = h.events[c.call_id];
  for (auto it = ev.rbegin(); it != ev.rend(); ++it) {
    auto m = csta::decode(*it);
    REQUIRE(m);
    if (const auto* d = std::get_if<csta::DeliveredEvent>(&m->body)) return d->connection.call_id;
  }
  FAIL("no DeliveredEvent");
  return {};
}

void incoming(Harness& h, const std::string& from, const std::string& to) {
  h.cti.script(0, [&](ctisim::World& w, std::vector<ctisim::Out>& out) {
    REQUIRE(w.incoming_call(from, to, out));
  });
  h.cti.drain();
  h.answer_events();
}

void pick_up(Harness& h, const std::string& device) {
  h.cti.script(
      0, [&](ctisim::World& w, std::vector<ctisim::Out>& out) { REQUIRE(w.answer(device, out)); });
  h.cti.drain();
  h.answer_events();
}

void hang_up(Harness& h, const std::string& device) {
  h.cti.script(
      0, [&](ctisim::World& w, std::vector<ctisim::Out>& out) { REQUIRE(w.hangup(device, out)); });
  h.cti.drain();
  h.answer_events();
}

}  // namespace

TEST_CASE("gateway asks the node which device is registered: registered there, not in the file",
          "[gateway][shared-line]") {
  Harness h(dir(), 1, lcs());
  SnapshotSpy spy;
  h.cti.intercept = std::ref(spy);
  // The directory says frank's Communicator is not registered; the call manager says it is.
  REQUIRE(h.cti.world(0).set_registered("CIPCFRANK", true));
  Client frank = client("frank", "f1");
  REQUIRE(h.sign_in(frank, kFrank) == 200);
  const auto& s = only_session(h);
  REQUIRE(s.devices == std::vector<std::string>{"CIPCFRANK"});
  CHECK(s.device_reason.find("the registered IP Communicator") != std::string::npos);
  CHECK(s.device_reason.find("CIPCFRANK registered per CTI node node0") != std::string::npos);
  // Asked by device name, once, on the session's node; the desk phone was never in question.
  CHECK(spy.asked == std::vector<std::string>{"CIPCFRANK"});
  CHECK(s.acting_device == "CIPCFRANK");
}

TEST_CASE("gateway asks the node which device is registered: registered in the file, not there",
          "[gateway][shared-line]") {
  Harness h(dir(), 1, lcs());
  REQUIRE(h.cti.world(0).set_registered("CIPCGRACE", false));
  Client grace = client("grace", "g1");
  REQUIRE(h.sign_in(grace, kGrace) == 200);
  const auto& s = only_session(h);
  REQUIRE(s.devices == std::vector<std::string>{"SEP000000005102"});
  CHECK(s.device_reason.find("the IP Communicator is not registered") != std::string::npos);
  CHECK(s.device_reason.find("CIPCGRACE not registered per CTI node node0") != std::string::npos);
}

TEST_CASE("gateway falls back to the directory's flag when the node cannot say",
          "[gateway][shared-line]") {
  Harness h(dir(), 1, lcs());
  // The node would say "registered", but its answer never comes: the link fails the request.
  REQUIRE(h.cti.world(0).set_registered("CIPCFRANK", true));
  SECTION("the request fails (timeout, link lost)") {
    h.cti.intercept = [](const csta::Body& b) -> std::optional<Result<csta::Message>> {
      if (std::holds_alternative<csta::SnapshotDevice>(b))
        return Result<csta::Message>(
            Error(cti::Errc::request_timeout, "no answer within 10000 ms, timed out"));
      return std::nullopt;
    };
    Client frank = client("frank", "f2");
    REQUIRE(h.sign_in(frank, kFrank) == 200);
    const auto& s = only_session(h);
    REQUIRE(s.devices == std::vector<std::string>{"SEP000000005101"});
    CHECK(s.device_reason.find("CIPCFRANK not registered per the directory (node node0: ") !=
          std::string::npos);
    CHECK(s.device_reason.find("timed out") != std::string::npos);
  }
  SECTION("the node does not know devices by name") {
    h.cti.intercept = [](const csta::Body& b) -> std::optional<Result<csta::Message>> {
      if (std::holds_alternative<csta::SnapshotDevice>(b))
        return Result<csta::Message>(csta::Message{
            csta::Namespace::ed3, csta::CSTAErrorCode{"operation", "invalidDeviceID"}});
      return std::nullopt;
    };
    Client frank = client("frank", "f3");
    REQUIRE(h.sign_in(frank, kFrank) == 200);
    const auto& s = only_session(h);
    REQUIRE(s.devices == std::vector<std::string>{"SEP000000005101"});
    CHECK(s.device_reason.find("per the directory (node node0: answered operation "
                               "invalidDeviceID)") != std::string::npos);
  }
}

TEST_CASE("gateway places a sign-in whose node went down while it was asked on a live node",
          "[gateway][shared-line]") {
  Harness h(dir(), 2, lcs());
  // node0 is asked and goes down before it answers: the pool fails its requests.
  h.cti.intercept = [](const csta::Body& b) -> std::optional<Result<csta::Message>> {
    if (std::holds_alternative<csta::SnapshotDevice>(b))
      return Result<csta::Message>(Error(cti::Errc::link_down, "the link dropped"));
    return std::nullopt;
  };
  Client frank = client("frank", "f4");
  h.layer.receive(frank.flow, h.request(frank, "INVITE", frank.cseq,
                                        Harness::line_body("RequestSystemStatus", kFrank)));
  h.cti.set_up(0, false);
  h.cti.drain();
  REQUIRE(h.last_response().status == 200);
  const auto& s = only_session(h);
  CHECK(s.node == 1);
  CHECK(s.devices == std::vector<std::string>{"SEP000000005101"});
  CHECK(s.device_reason.find("per the directory (node node0: ") != std::string::npos);
}

TEST_CASE("gateway does not ask the node when the choice does not depend on registration",
          "[gateway][shared-line]") {
  Harness h(dir(), 1, lcs());
  SnapshotSpy spy;
  h.cti.intercept = std::ref(spy);
  Client heidi = client("heidi", "h0");
  REQUIRE(h.sign_in(heidi, kHeidi) == 200);
  Client ivan = client("ivan", "i0");
  REQUIRE(h.sign_in(ivan, kIvan) == 200);
  Client judy = client("judy", "j0");
  REQUIRE(h.sign_in(judy, kFrank + ";device=SEP000000005101") == 200);
  CHECK(h.gateway.sessions().size() == 3);
  CHECK(spy.asked.empty());
}

TEST_CASE("gateway rings both devices of a shared line and controls the one answered by hand",
          "[gateway][shared-line]") {
  Harness h(dir(), 1, lcs());
  Client heidi = client("heidi", "h1");
  REQUIRE(h.sign_in(heidi, kHeidi) == 200);
  {
    const auto& s = only_session(h);
    REQUIRE(s.devices == std::vector<std::string>{"SEP00000000B001", "SEP00000000B002"});
    CHECK(s.acting_device == "SEP00000000B001");  // before any answer: the first
    CHECK(!s.bound);
  }
  h.info(heidi, monitor_start(kHeidi));

  // A call to the line rings both phones.
  incoming(h, "0612345", "5103");
  CHECK(calls_at(h, "SEP00000000B001") == std::vector<std::string>{"1:alerting"});
  CHECK(calls_at(h, "SEP00000000B002") == std::vector<std::string>{"1:alerting"});
  // Heidi picks up the second phone: the session is bound to it, the client sees its line.
  h.events[heidi.call_id].clear();
  pick_up(h, "SEP00000000B002");
  {
    const auto& s = only_session(h);
    CHECK(s.acting_device == "SEP00000000B002");
    CHECK(s.bound);
  }
  REQUIRE(h.events[heidi.call_id].size() == 1);
  const std::string& established = h.events[heidi.call_id].front();
  CHECK(established.find("EstablishedEvent") != std::string::npos);
  CHECK(established.find("<answeringDevice><deviceIdentifier>" + kHeidi) != std::string::npos);
  CHECK(established.find("SEP0") == std::string::npos);  // no device name reaches the client
  CHECK(calls_at(h, "SEP00000000B001").empty());
  CHECK(calls_at(h, "SEP00000000B002") == std::vector<std::string>{"1:connected"});
  hang_up(h, "0612345");

  // A later call she makes starts on the phone she answered on, not on the first.
  const auto made = h.info(heidi, make_call(kHeidi, "tel:0698765;phone-context=dialstring"));
  const auto* r = std::get_if<csta::MakeCallResponse>(&made.body);
  REQUIRE(r != nullptr);
  CHECK(r->calling_device.device_id == kHeidi);
  CHECK(calls_at(h, "SEP00000000B001").empty());
  REQUIRE(calls_at(h, "SEP00000000B002").size() == 1);
}

TEST_CASE("gateway answers a shared line's call on the session's device and follows the user",
          "[gateway][shared-line]") {
  Harness h(dir(), 1, lcs());
  Client heidi = client("heidi", "h2");
  REQUIRE(h.sign_in(heidi, kHeidi) == 200);
  h.info(heidi, monitor_start(kHeidi));

  // The client answers before any phone was picked up: the first device answers.
  incoming(h, "0611111", "5103");
  const std::string first = delivered_call(h, heidi);
  auto answered = h.info(heidi, answer_call(first, kHeidi));
  CHECK(std::holds_alternative<csta::AnswerCallResponse>(answered.body));
  CHECK(calls_at(h, "SEP00000000B001") == std::vector<std::string>{"1:connected"});
  CHECK(only_session(h).acting_device == "SEP00000000B001");
  CHECK(only_session(h).bound);
  hang_up(h, "0611111");

  // She picks up the other phone for the next call: the session follows her there...
  incoming(h, "0622222", "5103");
  pick_up(h, "SEP00000000B002");
  CHECK(only_session(h).acting_device == "SEP00000000B002");
  hang_up(h, "0622222");

  // ...and the client's next AnswerCall answers on that phone, not on the first.
  incoming(h, "0633333", "5103");
  const std::string third = delivered_call(h, heidi);
  answered = h.info(heidi, answer_call(third, kHeidi));
  CHECK(std::holds_alternative<csta::AnswerCallResponse>(answered.body));
  CHECK(calls_at(h, "SEP00000000B001").empty());
  REQUIRE(calls_at(h, "SEP00000000B002").size() == 1);
  CHECK(calls_at(h, "SEP00000000B002").front().find(":connected") != std::string::npos);
}

TEST_CASE("gateway originates a shared line's first call from the first device",
          "[gateway][shared-line]") {
  Harness h(dir(), 1, lcs());
  Client heidi = client("heidi", "h3");
  REQUIRE(h.sign_in(heidi, kHeidi) == 200);
  h.info(heidi, monitor_start(kHeidi));
  const auto made = h.info(heidi, make_call(kHeidi, "tel:5104;phone-context=dialstring"));
  REQUIRE(std::holds_alternative<csta::MakeCallResponse>(made.body));
  REQUIRE(calls_at(h, "SEP00000000B001").size() == 1);
  CHECK(calls_at(h, "SEP00000000B002").empty());
  // The far end answering does not bind anything: only an answer on her own line does.
  pick_up(h, "5104");
  CHECK(!only_session(h).bound);
  CHECK(only_session(h).acting_device == "SEP00000000B001");
}

TEST_CASE("gateway keeps a shared line's session on the line's device when the node says so",
          "[gateway][shared-line]") {
  // An IP Communicator chosen at sign-in acts there: MakeCall originates from it.
  Harness h(dir(), 1, lcs());
  REQUIRE(h.cti.world(0).set_registered("CIPCFRANK", true));
  Client frank = client("frank", "f6");
  REQUIRE(h.sign_in(frank, kFrank) == 200);
  h.info(frank, monitor_start(kFrank));
  REQUIRE(std::holds_alternative<csta::MakeCallResponse>(
      h.info(frank, make_call(kFrank, "tel:5104;phone-context=dialstring")).body));
  CHECK(calls_at(h, "CIPCFRANK").size() == 1);
  CHECK(calls_at(h, "SEP000000005101").empty());
}
