// The gateway's session logic in-process (gateway_harness.h): sign-in, identifier mapping,
// privilege isolation between users, failover in both modes, replacement of a lost dialog.
// The same behaviour over real sockets with SIPp: tests/sipp/gateway_test.sh.

#include <catch2/catch.hpp>

#include <cstdlib>

#include "csta/walk.h"
#include "rcc/gateway_harness.h"

using namespace rcc;
using gateway::test::Client;
using gateway::test::Harness;

namespace {

const directory::FileDirectory& dir() {
  static const auto d = [] {
    const char* root = std::getenv("RCC_TEST_DATA");
    auto loaded = directory::load_directory_file(std::string(root ? root : "tests/data") +
                                                 "/gateway/directory.toml");
    REQUIRE(loaded);
    return std::move(*loaded);
  }();
  return d;
}

const std::string kAlice = "tel:5001;phone-context=dialstring";
const std::string kBob = "tel:5002;phone-context=dialstring";
const std::string kNs = "xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\"";

Client client(const std::string& user, const std::string& tag) {
  return Client::of(user, tag);
}

std::string monitor_start(const std::string& line) {
  return "<MonitorStart " + kNs + "><monitorObject><deviceObject>" + line +
         "</deviceObject></monitorObject></MonitorStart>";
}
std::string make_call(const std::string& from, const std::string& to) {
  return "<MakeCall " + kNs + "><callingDevice>" + from +
         "</callingDevice><calledDirectoryNumber>" + to +
         "</calledDirectoryNumber><autoOriginate>doNotPrompt</autoOriginate></MakeCall>";
}
std::string connection_request(const std::string& element, const std::string& field,
                               const csta::ConnectionId& c, const std::string& extra = {}) {
  return "<" + element + " " + kNs + "><" + field + "><callID>" + c.call_id +
         "</callID><deviceID>" + c.device_id + "</deviceID></" + field + ">" + extra + "</" +
         element + ">";
}

bool is_error(const csta::Message& m, const std::string& value) {
  const auto* e = std::get_if<csta::CSTAErrorCode>(&m.body);
  return e && e->value == value;
}

std::string xref_of(const csta::Message& m) {
  const auto* r = std::get_if<csta::MonitorStartResponse>(&m.body);
  REQUIRE(r != nullptr);
  return r->monitor_cross_ref_id;
}

}  // namespace

TEST_CASE(
    "gateway signs a user in and answers GetCSTAFeatures, MonitorStart and MakeCall with "
    "its own identifiers",
    "[gateway]") {
  Harness h(dir(), 1);
  Client alice = client("alice", "a1");
  REQUIRE(h.sign_in(alice, kAlice) == 200);
  CHECK(h.last_response().body.find("<systemStatus>normal</systemStatus>") != std::string::npos);
  REQUIRE(h.gateway.sessions().size() == 1);

  auto features = h.info(alice, Harness::line_body("GetCSTAFeatures", kAlice));
  CHECK(std::holds_alternative<csta::GetCSTAFeaturesResponse>(features.body));

  const std::string xref = xref_of(h.info(alice, monitor_start(kAlice)));
  CHECK(xref.rfind("x", 0) == 0);  // the gateway's, not the node's "1"

  auto made = h.info(alice, make_call(kAlice, "tel:0612345;phone-context=dialstring"));
  const auto* r = std::get_if<csta::MakeCallResponse>(&made.body);
  REQUIRE(r != nullptr);
  CHECK(r->calling_device.device_id == kAlice);  // echoed as the client wrote its line
  CHECK(r->calling_device.call_id.rfind("c", 0) == 0);
  // The events that followed carry the client's crossRefID and callID, never the node's.
  const auto& ev = h.events[alice.call_id];
  REQUIRE(ev.size() >= 2);
  for (const auto& body : ev) {
    CHECK(body.find("<monitorCrossRefID>" + xref + "</monitorCrossRefID>") != std::string::npos);
    CHECK(body.find("<callID>" + r->calling_device.call_id + "</callID>") != std::string::npos);
  }
  CHECK(ev.front().find("ServiceInitiatedEvent") != std::string::npos);
}

TEST_CASE("gateway refuses every attempt of one user's session on another user's call",
          "[gateway][privilege]") {
  Harness h(dir(), 1);
  Client alice = client("alice", "a1");
  Client bob = client("bob", "b1");
  REQUIRE(h.sign_in(alice, kAlice) == 200);
  REQUIRE(h.sign_in(bob, kBob) == 200);
  (void)xref_of(h.info(alice, monitor_start(kAlice)));
  const std::string bob_xref = xref_of(h.info(bob, monitor_start(kBob)));
  auto made = h.info(bob, make_call(kBob, "tel:0699999;phone-context=dialstring"));
  const auto* call = std::get_if<csta::MakeCallResponse>(&made.body);
  REQUIRE(call != nullptr);
  const csta::ConnectionId bobs = call->calling_device;
  const csta::ConnectionId bobs_call_at_alice{bobs.call_id, kAlice};
  const auto privilege_before = h.gateway.counters().privilege_refusals;

  // Bob's connection named as it is, and Bob's callID at Alice's own device: both refused.
  for (const auto& c : {bobs, bobs_call_at_alice}) {
    // The callID is checked first: it is not one of Alice's calls.
    CHECK(is_error(h.info(alice, connection_request("ClearConnection", "connectionToBeCleared", c)),
                   "invalidCallIdentifier"));
    CHECK(std::holds_alternative<csta::CSTAErrorCode>(
        h.info(alice, connection_request("HoldCall", "callToBeHeld", c)).body));
    CHECK(std::holds_alternative<csta::CSTAErrorCode>(
        h.info(alice, connection_request("DeflectCall", "callToBeDiverted", c,
                                         "<newDestination>tel:5001;phone-context=dialstring"
                                         "</newDestination>"))
            .body));
    CHECK(std::holds_alternative<csta::CSTAErrorCode>(
        h.info(alice, connection_request("SingleStepTransferCall", "activeCall", c,
                                         "<transferredTo>tel:5001;phone-context=dialstring"
                                         "</transferredTo>"))
            .body));
  }
  // MakeCall from Bob's device, MonitorStart and MonitorStop of Bob's line and monitor.
  CHECK(is_error(h.info(alice, make_call(kBob, "tel:0612345;phone-context=dialstring")),
                 "privilegeViolationOnSpecifiedDevice"));
  CHECK(is_error(h.info(alice, monitor_start(kBob)), "privilegeViolationOnSpecifiedDevice"));
  CHECK(is_error(h.info(alice, "<MonitorStop " + kNs + "><monitorCrossRefID>" + bob_xref +
                                   "</monitorCrossRefID></MonitorStop>"),
                 "invalidCrossRefID"));
  CHECK(h.gateway.counters().privilege_refusals >= privilege_before + 11);
  // Bob's call went on: he can still clear it himself.
  auto cleared = h.info(bob, connection_request("ClearConnection", "connectionToBeCleared", bobs));
  CHECK(std::holds_alternative<csta::ClearConnectionResponse>(cleared.body));
}

TEST_CASE("gateway moves a session to a live node when its node is lost (transparent failover)",
          "[gateway][failover]") {
  Harness h(dir(), 2);
  Client alice = client("alice", "a1");
  REQUIRE(h.sign_in(alice, kAlice) == 200);
  const std::string xref = xref_of(h.info(alice, monitor_start(kAlice)));
  const std::size_t first = h.gateway.sessions().on_node(0).empty() ? 1 : 0;
  REQUIRE(h.gateway.sessions().on_node(first).size() == 1);
  h.cti.set_up(first, false);
  h.cti.drain();
  const std::size_t other = 1 - first;
  REQUIRE(h.gateway.sessions().on_node(other).size() == 1);
  CHECK(h.gateway.counters().failovers == 1);
  // Events from the new node reach the client under the crossRefID it already has.
  h.events.clear();
  h.cti.script(other, [](ctisim::World& w, std::vector<ctisim::Out>& out) {
    REQUIRE(w.incoming_call("0677777", "5001", out));
  });
  h.cti.drain();
  h.answer_events();
  const auto& ev = h.events[alice.call_id];
  REQUIRE(!ev.empty());
  CHECK(ev.front().find("DeliveredEvent") != std::string::npos);
  CHECK(ev.front().find("<monitorCrossRefID>" + xref + "</monitorCrossRefID>") !=
        std::string::npos);
  // The client saw no error: its next request works.
  CHECK(xref_of(h.info(alice, monitor_start(kAlice))) == xref);
}

TEST_CASE("gateway answers 481 after a node loss in reinvite mode, then signs the client in again",
          "[gateway][failover]") {
  gateway::Settings s;
  s.failover = gateway::Failover::reinvite;
  Harness h(dir(), 2, s);
  Client alice = client("alice", "a1");
  REQUIRE(h.sign_in(alice, kAlice) == 200);
  (void)xref_of(h.info(alice, monitor_start(kAlice)));
  const std::size_t node = h.gateway.sessions().on_node(0).empty() ? 1 : 0;
  h.cti.set_up(node, false);
  h.cti.drain();
  h.layer.receive(alice.flow, h.request(alice, "INFO", ++alice.cseq, monitor_start(kAlice)));
  h.cti.drain();
  CHECK(h.last_response().status == 481);
  CHECK(h.gateway.sessions().size() == 0);
  Client again = client("alice", "a2");
  REQUIRE(h.sign_in(again, kAlice) == 200);
  CHECK_FALSE(xref_of(h.info(again, monitor_start(kAlice))).empty());
}

TEST_CASE("gateway answers at once while no node is up and recovers when one returns",
          "[gateway][failover]") {
  Harness h(dir(), 1);
  Client alice = client("alice", "a1");
  REQUIRE(h.sign_in(alice, kAlice) == 200);
  (void)xref_of(h.info(alice, monitor_start(kAlice)));
  h.cti.set_up(0, false);
  h.cti.drain();
  CHECK(is_error(h.info(alice, make_call(kAlice, "tel:0612345;phone-context=dialstring")),
                 "resourceOutOfService"));
  Client bob = client("bob", "b1");
  CHECK(h.sign_in(bob, kBob) == 503);
  REQUIRE(h.last_response().header("Retry-After") != nullptr);
  h.cti.set_up(0, true);
  h.cti.drain();
  auto made = h.info(alice, make_call(kAlice, "tel:0612345;phone-context=dialstring"));
  CHECK(std::holds_alternative<csta::MakeCallResponse>(made.body));
}

TEST_CASE("gateway refuses new sign-ins with 503 while the node's backlog is full",
          "[gateway][overload]") {
  gateway::Settings settings;
  settings.max_cti_backlog = 100;
  Harness h(dir(), 1, settings);
  Client alice = client("alice", "a1");
  REQUIRE(h.sign_in(alice, kAlice) == 200);
  (void)xref_of(h.info(alice, monitor_start(kAlice)));
  h.cti.waiting = 100;
  Client bob = client("bob", "b1");
  CHECK(h.sign_in(bob, kBob) == 503);
  REQUIRE(h.last_response().header("Retry-After") != nullptr);
  CHECK(h.gateway.counters().refusals_by_reason.at(gateway::Refusal::overloaded) == 1);
  // The signed-in user is served meanwhile.
  auto made = h.info(alice, make_call(kAlice, "tel:0612345;phone-context=dialstring"));
  CHECK(std::holds_alternative<csta::MakeCallResponse>(made.body));
  h.cti.waiting = 99;
  Client bob2 = client("bob", "b2");
  CHECK(h.sign_in(bob2, kBob) == 200);
}

TEST_CASE("gateway replaces the dialog of an endpoint that signs in again for the same line",
          "[gateway]") {
  Harness h(dir(), 1);
  Client first = client("alice", "same-endpoint");
  REQUIRE(h.sign_in(first, kAlice) == 200);
  Client second = first;
  second.call_id = "call-new";
  second.to_tag.clear();
  second.cseq = 1;
  REQUIRE(h.sign_in(second, kAlice) == 200);
  CHECK(h.gateway.sessions().size() == 1);
  bool bye = false;
  for (const auto& s : h.out.sent)
    if (s.message.method == "BYE" && s.message.call_id() == first.call_id) bye = true;
  CHECK(bye);
  // Another endpoint of the same user keeps its own session.
  Client laptop = client("alice", "other-endpoint");
  REQUIRE(h.sign_in(laptop, kAlice) == 200);
  CHECK(h.gateway.sessions().size() == 2);
}

TEST_CASE("gateway sends events of a line to every session monitoring it", "[gateway]") {
  Harness h(dir(), 1);
  Client desk = client("alice", "desk");
  Client laptop = client("alice", "laptop");
  REQUIRE(h.sign_in(desk, kAlice) == 200);
  REQUIRE(h.sign_in(laptop, kAlice) == 200);
  const auto x1 = xref_of(h.info(desk, monitor_start(kAlice)));
  const auto x2 = xref_of(h.info(laptop, monitor_start(kAlice)));
  CHECK(x1 != x2);
  h.events.clear();
  h.cti.script(0, [](ctisim::World& w, std::vector<ctisim::Out>& out) {
    REQUIRE(w.incoming_call("0677777", "5001", out));
  });
  h.cti.drain();
  h.answer_events();
  REQUIRE(h.events[desk.call_id].size() == 1);
  REQUIRE(h.events[laptop.call_id].size() == 1);
  CHECK(h.events[desk.call_id][0].find(x1) != std::string::npos);
  CHECK(h.events[laptop.call_id][0].find(x2) != std::string::npos);
}

namespace {

std::string element(const csta::Message& m) {
  return std::string(csta::element_name(m.body));
}

/// The callID of the first connection in the last event a client got.
std::string last_event_call(Harness& h, const Client& c) {
  const auto& ev = h.events[c.call_id];
  REQUIRE(!ev.empty());
  auto m = csta::decode(ev.back());
  REQUIRE(m);
  struct Find {
    std::string id;
    void connection(csta::ConnectionId& x) {
      if (id.empty()) id = x.call_id;
    }
    void device(csta::DeviceRef&) {}
    void text(std::string_view, std::string&) {}
  } find;
  csta::walk_ids(m->body, find);
  return find.id;
}

}  // namespace

TEST_CASE("gateway carries every call-control and feature service to the node and back",
          "[gateway][services]") {
  Harness h(dir(), 1);
  Client alice = client("alice", "a1");
  Client bob = client("bob", "b1");
  REQUIRE(h.sign_in(alice, kAlice) == 200);
  REQUIRE(h.sign_in(bob, kBob) == 200);
  (void)xref_of(h.info(alice, monitor_start(kAlice)));
  (void)xref_of(h.info(bob, monitor_start(kBob)));
  const auto far = [&](auto action) {
    h.cti.script(0, action);
    h.cti.drain();
    h.answer_events();
  };

  // Alice calls Bob; Bob answers through his own session, with the callID his events gave him.
  auto made = h.info(alice, make_call(kAlice, kBob));
  REQUIRE(element(made) == "MakeCallResponse");
  const csta::ConnectionId a1 = std::get<csta::MakeCallResponse>(made.body).calling_device;
  const std::string bob_call = last_event_call(h, bob);
  CHECK(element(h.info(bob, connection_request("AnswerCall", "callToBeAnswered",
                                               {bob_call, kBob}))) == "AnswerCallResponse");
  CHECK(element(h.info(alice, connection_request("GenerateDigits", "connectionToSendDigits", a1,
                                                 "<charactersToSend>12#</charactersToSend>"))) ==
        "GenerateDigitsResponse");
  // Hold and retrieve.
  CHECK(element(h.info(alice, connection_request("HoldCall", "callToBeHeld", a1))) ==
        "HoldCallResponse");
  CHECK(element(h.info(alice, connection_request("RetrieveCall", "callToBeRetrieved", a1))) ==
        "RetrieveCallResponse");
  // Consultation to an outside number, the far end answers, then transfer.
  auto consult = h.info(alice, connection_request("ConsultationCall", "existingCall", a1,
                                                  "<consultedDevice>tel:0612345;phone-context="
                                                  "dialstring</consultedDevice>"));
  REQUIRE(element(consult) == "ConsultationCallResponse");
  const csta::ConnectionId a2 =
      std::get<csta::ConsultationCallResponse>(consult.body).initiated_call;
  CHECK(a2.call_id != a1.call_id);
  far([](ctisim::World& w, std::vector<ctisim::Out>& out) { REQUIRE(w.answer("0612345", out)); });
  CHECK(element(h.info(alice, "<TransferCall " + kNs + "><heldCall><callID>" + a1.call_id +
                                  "</callID><deviceID>" + kAlice +
                                  "</deviceID></heldCall><activeCall><callID>" + a2.call_id +
                                  "</callID><deviceID>" + kAlice +
                                  "</deviceID></activeCall></TransferCall>")) ==
        "TransferCallResponse");

  // A new call, consultation, conference.
  made = h.info(alice, make_call(kAlice, "tel:0613333;phone-context=dialstring"));
  const csta::ConnectionId b1 = std::get<csta::MakeCallResponse>(made.body).calling_device;
  far([](ctisim::World& w, std::vector<ctisim::Out>& out) { REQUIRE(w.answer("0613333", out)); });
  consult = h.info(alice, connection_request("ConsultationCall", "existingCall", b1,
                                             "<consultedDevice>tel:0614444;phone-context="
                                             "dialstring</consultedDevice>"));
  const csta::ConnectionId b2 =
      std::get<csta::ConsultationCallResponse>(consult.body).initiated_call;
  far([](ctisim::World& w, std::vector<ctisim::Out>& out) { REQUIRE(w.answer("0614444", out)); });
  auto conf = h.info(
      alice, "<ConferenceCall " + kNs + "><heldCall><callID>" + b1.call_id + "</callID><deviceID>" +
                 kAlice + "</deviceID></heldCall><activeCall><callID>" + b2.call_id +
                 "</callID><deviceID>" + kAlice + "</deviceID></activeCall></ConferenceCall>");
  REQUIRE(element(conf) == "ConferenceCallResponse");
  csta::ConnectionId conference = std::get<csta::ConferenceCallResponse>(conf.body).conference_call;
  conference.device_id = kAlice;
  CHECK(element(h.info(alice, connection_request("ClearConnection", "connectionToBeCleared",
                                                 conference))) == "ClearConnectionResponse");

  // Single-step transfer of a fresh call, and a deflected incoming one.
  made = h.info(alice, make_call(kAlice, "tel:0615555;phone-context=dialstring"));
  const csta::ConnectionId c1 = std::get<csta::MakeCallResponse>(made.body).calling_device;
  far([](ctisim::World& w, std::vector<ctisim::Out>& out) { REQUIRE(w.answer("0615555", out)); });
  CHECK(element(h.info(alice, connection_request("SingleStepTransferCall", "activeCall", c1,
                                                 "<transferredTo>tel:0616666;phone-context="
                                                 "dialstring</transferredTo>"))) ==
        "SingleStepTransferCallResponse");
  far([](ctisim::World& w, std::vector<ctisim::Out>& out) {
    REQUIRE(w.incoming_call("0617777", "5001", out));
  });
  const std::string ringing = last_event_call(h, alice);
  CHECK(element(h.info(
            alice, connection_request("DeflectCall", "callToBeDiverted", {ringing, kAlice},
                                      "<newDestination>tel:0618888;phone-context="
                                      "dialstring</newDestination>"))) == "DeflectCallResponse");

  // Forwarding and do-not-disturb on the user's own line.
  CHECK(element(h.info(alice, "<SetForwarding " + kNs + "><device>" + kAlice +
                                  "</device><forwardingType>forwardImmediate</forwardingType>"
                                  "<activateForward>true</activateForward><forwardDN>tel:5002;"
                                  "phone-context=dialstring</forwardDN></SetForwarding>")) ==
        "SetForwardingResponse");
  auto fwd =
      h.info(alice, "<GetForwarding " + kNs + "><device>" + kAlice + "</device></GetForwarding>");
  REQUIRE(element(fwd) == "GetForwardingResponse");
  CHECK(!std::get<csta::GetForwardingResponse>(fwd.body).forwarding_list.empty());
  CHECK(element(h.info(alice,
                       "<SetDoNotDisturb " + kNs + "><device>" + kAlice +
                           "</device><doNotDisturbOn>true</doNotDisturbOn></SetDoNotDisturb>")) ==
        "SetDoNotDisturbResponse");
  auto dnd = h.info(
      alice, "<GetDoNotDisturb " + kNs + "><device>" + kAlice + "</device></GetDoNotDisturb>");
  REQUIRE(element(dnd) == "GetDoNotDisturbResponse");
  CHECK(std::get<csta::GetDoNotDisturbResponse>(dnd.body).do_not_disturb_on);
  // Forwarding Bob's line from Alice's session is refused.
  CHECK(is_error(
      h.info(alice, "<SetDoNotDisturb " + kNs + "><device>" + kBob +
                        "</device><doNotDisturbOn>true</doNotDisturbOn></SetDoNotDisturb>"),
      "privilegeViolationOnSpecifiedDevice"));
}

// Found by gateway_session_fuzz: a CSTA body that is not UTF-8 made the parser's message (with a
// line break in it) end up in the 400's Warning header, and the answer was not valid SIP.
TEST_CASE("gateway keeps what the peer sent out of its Warning header", "[gateway][fuzz]") {
  Harness h(dir(), 1);
  Client alice = client("alice", "a1");
  REQUIRE(h.sign_in(alice, kAlice) == 200);
  // The Recorder re-parses every message the layer sends: a broken header throws there.
  REQUIRE_NOTHROW(h.layer.receive(
      alice.flow, h.request(alice, "INFO", ++alice.cseq,
                            monitor_start("tel:500\xe7;phone-context=dialstring"))));
  const auto& r = h.last_response();
  CHECK(r.status == 400);
  REQUIRE(r.header("Warning") != nullptr);
  CHECK(r.header("Warning")->find('\n') == std::string::npos);
  // A line URI with a quote and a line break in the sign-in's refusal detail.
  Client mallory = client("alice", "m1");
  CHECK(h.sign_in(mallory, "tel:5002\";\r\nX-Injected: yes") != 200);
  CHECK(h.last_response().header("X-Injected") == nullptr);
}

TEST_CASE("gateway refuses CSTA messages that are not client services", "[gateway][privilege]") {
  Harness h(dir(), 1);
  Client alice = client("alice", "a1");
  REQUIRE(h.sign_in(alice, kAlice) == 200);
  const auto before = h.cti.requests;
  // An application-session stop would end the gateway's CTI session for every user; an event
  // or a response is not a request at all.
  CHECK(is_error(h.info(alice,
                        "<StopApplicationSession "
                        "xmlns=\"http://www.ecma-international.org/standards/ecma-354/"
                        "appl_session\"><sessionID>1</sessionID><sessionEndReason>"
                        "<appEndReason>x</appEndReason></sessionEndReason>"
                        "</StopApplicationSession>"),
                 "invalidFeature"));
  CHECK(is_error(h.info(alice, "<MonitorStartResponse " + kNs +
                                   "><monitorCrossRefID>1</monitorCrossRefID>"
                                   "</MonitorStartResponse>"),
                 "invalidFeature"));
  CHECK(h.cti.requests == before);  // nothing reached the node
  CHECK(std::holds_alternative<csta::MonitorStartResponse>(
      h.info(alice, monitor_start(kAlice)).body));
}

TEST_CASE("gateway carries AlternateCall and ReconnectCall between a held and an active call",
          "[gateway][services]") {
  Harness h(dir(), 1);
  Client alice = client("alice", "a1");
  REQUIRE(h.sign_in(alice, kAlice) == 200);
  (void)xref_of(h.info(alice, monitor_start(kAlice)));
  const auto far = [&](const char* number) {
    h.cti.script(0, [&](ctisim::World& w, std::vector<ctisim::Out>& out) {
      REQUIRE(w.answer(number, out));
    });
    h.cti.drain();
    h.answer_events();
  };
  auto made = h.info(alice, make_call(kAlice, "tel:0611111;phone-context=dialstring"));
  const csta::ConnectionId first = std::get<csta::MakeCallResponse>(made.body).calling_device;
  far("0611111");
  auto consult = h.info(alice, connection_request("ConsultationCall", "existingCall", first,
                                                  "<consultedDevice>tel:0612222;phone-context="
                                                  "dialstring</consultedDevice>"));
  REQUIRE(element(consult) == "ConsultationCallResponse");
  const csta::ConnectionId second =
      std::get<csta::ConsultationCallResponse>(consult.body).initiated_call;
  far("0612222");
  const auto pair = [&](const char* service, const csta::ConnectionId& held,
                        const csta::ConnectionId& active) {
    return "<" + std::string(service) + " " + kNs + "><heldCall><callID>" + held.call_id +
           "</callID><deviceID>" + kAlice + "</deviceID></heldCall><activeCall><callID>" +
           active.call_id + "</callID><deviceID>" + kAlice + "</deviceID></activeCall></" +
           service + ">";
  };
  h.events.clear();
  CHECK(element(h.info(alice, pair("AlternateCall", first, second))) == "AlternateCallResponse");
  // The swap shows as a Held and a Retrieved event.
  const auto& ev = h.events[alice.call_id];
  REQUIRE(ev.size() >= 2);
  CHECK(ev[0].find("HeldEvent") != std::string::npos);
  CHECK(ev[1].find("RetrievedEvent") != std::string::npos);
  // Alternating again with the same roles is refused: the first call is active now.
  CHECK(std::holds_alternative<csta::CSTAErrorCode>(
      h.info(alice, pair("AlternateCall", first, second)).body));
  CHECK(element(h.info(alice, pair("ReconnectCall", second, first))) == "ReconnectCallResponse");
  // Another user's calls stay out of reach for these too.
  Client bob = client("bob", "b1");
  REQUIRE(h.sign_in(bob, kBob) == 200);
  CHECK(is_error(h.info(bob, pair("AlternateCall", first, second)), "invalidCallIdentifier"));
}
