// rcc-ctisim's call model over a real link: each service's response and the exact events, in
// order, with their call and connection IDs (docs/protocol.md; choices in man rcc-ctisim).
// Devices of examples/directory.toml: 4711 (John), 4712 (Mary, shared line), 4713 (Pat, three
// devices), 4714 (Sam). Event lines read "crossRef Event connection lci cause [extra]".

#include <catch2/catch.hpp>

#include "cti/sim_process.h"
#include "cti/test_client.h"

using namespace rcc;
using namespace rcc::testing;
using csta::ConnectionId;

namespace {

std::string conn(const ConnectionId& c) {
  return c.call_id + "/" + c.device_id;
}
std::string dev(const csta::DeviceRef& d) {
  return d.kind == csta::DeviceRef::Kind::identifier ? d.id : "-";
}
std::string tail(const std::optional<std::string>& lci, const std::optional<std::string>& cause) {
  return " " + lci.value_or("?") + " " + cause.value_or("?");
}

std::string line(const csta::Message& m) {
  return std::visit(
      [](const auto& e) -> std::string {
        using T = std::decay_t<decltype(e)>;
        const std::string head = std::string(T::kElement) + " ";
        if constexpr (std::is_same_v<T, csta::ServiceInitiatedEvent>)
          return e.monitor_cross_ref_id + " " + head + conn(e.initiated_connection) +
                 tail(e.local_connection_info, e.cause);
        else if constexpr (std::is_same_v<T, csta::OriginatedEvent>)
          return e.monitor_cross_ref_id + " " + head + conn(e.originated_connection) +
                 tail(e.local_connection_info, e.cause);
        else if constexpr (std::is_same_v<T, csta::DeliveredEvent>)
          return e.monitor_cross_ref_id + " " + head + conn(e.connection) +
                 tail(e.local_connection_info, e.cause) + " from " +
                 (e.calling_device ? dev(*e.calling_device) : "?") + " redirected " +
                 (e.last_redirection_device ? dev(*e.last_redirection_device) : "?");
        else if constexpr (std::is_same_v<T, csta::EstablishedEvent>)
          return e.monitor_cross_ref_id + " " + head + conn(e.established_connection) +
                 tail(e.local_connection_info, e.cause);
        else if constexpr (std::is_same_v<T, csta::ConnectionClearedEvent>)
          return e.monitor_cross_ref_id + " " + head + conn(e.dropped_connection) +
                 tail(e.local_connection_info, e.cause);
        else if constexpr (std::is_same_v<T, csta::HeldEvent>)
          return e.monitor_cross_ref_id + " " + head + conn(e.held_connection) +
                 tail(e.local_connection_info, e.cause);
        else if constexpr (std::is_same_v<T, csta::RetrievedEvent>)
          return e.monitor_cross_ref_id + " " + head + conn(e.retrieved_connection) +
                 tail(e.local_connection_info, e.cause);
        else if constexpr (std::is_same_v<T, csta::FailedEvent>)
          return e.monitor_cross_ref_id + " " + head + conn(e.failed_connection) +
                 tail(e.local_connection_info, e.cause);
        else if constexpr (std::is_same_v<T, csta::DivertedEvent>)
          return e.monitor_cross_ref_id + " " + head + conn(e.connection) +
                 tail(e.local_connection_info, e.cause) + " to " +
                 (e.new_destination ? dev(*e.new_destination) : "?");
        else if constexpr (std::is_same_v<T, csta::TransferedEvent> ||
                           std::is_same_v<T, csta::ConferencedEvent>) {
          std::string s = e.monitor_cross_ref_id + " " + head + conn(e.primary_old_call) + "+" +
                          (e.secondary_old_call ? conn(*e.secondary_old_call) : "-") +
                          tail(e.local_connection_info, e.cause) + " [";
          const auto& list = [&]() -> const auto& {
            if constexpr (std::is_same_v<T, csta::TransferedEvent>)
              return e.transferred_connections;
            else
              return e.conference_connections;
          }
          ();
          for (const auto& i : list)
            s += (i.old_connection ? conn(*i.old_connection) : "-") + ">" +
                 (i.new_connection ? conn(*i.new_connection) : "-") + " ";
          return s + "]";
        } else if constexpr (std::is_same_v<T, csta::ForwardingEvent>)
          return e.monitor_cross_ref_id + " " + head + dev(e.device) + " " + e.forwarding_type +
                 " " + (e.forward_status ? "on " : "off ") + e.forward_to.value_or("-");
        else if constexpr (std::is_same_v<T, csta::DoNotDisturbEvent>)
          return e.monitor_cross_ref_id + " " + head + dev(e.device) + " " +
                 (e.do_not_disturb_on ? "on" : "off");
        else
          return std::string(T::kElement);
      },
      m.body);
}

std::vector<std::string> sim_args(cti::Framing framing) {
  if (framing == cti::Framing::nul_terminated) return {"--framing", "nul-terminated"};
  return {};
}

/// A session monitoring `devices` (crossRefIDs come back in order: 1, 2, ... per simulator),
/// the link and the simulator both in `framing`.
struct World {
  SimProcess sim;
  TestClient c{sim.address()};
  std::size_t seen = 0;

  explicit World(std::initializer_list<const char*> devices,
                 cti::Framing framing = cti::Framing::annex_j)
      : sim(sim_args(framing)) {
    c.options().frame_limits.framing = framing;
    REQUIRE(c.start());
    REQUIRE(c.link->one_at_a_time() == (framing == cti::Framing::nul_terminated));
    for (const char* d : devices) {
      auto r = c.call(csta::MonitorStart{d});
      REQUIRE(r);
      REQUIRE(std::holds_alternative<csta::MonitorStartResponse>(r->body));
    }
  }
  template <class T>
  T ok(csta::Body request) {
    auto r = c.call(std::move(request));
    REQUIRE(r);
    INFO(csta::element_name(r->body));
    REQUIRE(std::holds_alternative<T>(r->body));
    return std::get<T>(r->body);
  }
  csta::CSTAErrorCode refused(csta::Body request) {
    return ok<csta::CSTAErrorCode>(std::move(request));
  }
  /// The next `n` events, exactly (waits a little longer to catch extras).
  std::vector<std::string> events(std::size_t n) {
    const auto& all = c.wait_events(seen + n);
    std::vector<std::string> out;
    for (std::size_t i = seen; i < all.size(); ++i)
      out.push_back(line(all[i]));
    seen = all.size();
    return out;
  }
};

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("make call, answer and clear produce the switch's events in order", "[cti][sim]") {
  // The same over NUL-terminated framing: no invoke IDs, answers matched by order.
  const auto framing = GENERATE(cti::Framing::annex_j, cti::Framing::nul_terminated);
  INFO((framing == cti::Framing::annex_j ? "annex-j" : "nul-terminated"));
  World w({"4711", "4714"}, framing);  // crossRef 1 = 4711, 2 = 4714
  auto mc = w.ok<csta::MakeCallResponse>(csta::MakeCall{"4711", "4714", std::nullopt});
  CHECK(conn(mc.calling_device) == "1/4711");
  CHECK(w.events(4) == Lines{
                           "1 ServiceInitiatedEvent 1/4711 initiated makeCall",
                           "1 OriginatedEvent 1/4711 connected makeCall",
                           "1 DeliveredEvent 1/4714 connected newCall from 4711 redirected -",
                           "2 DeliveredEvent 1/4714 alerting newCall from 4711 redirected -",
                       });
  w.ok<csta::AnswerCallResponse>(csta::AnswerCall{{"1", "4714"}});
  CHECK(w.events(2) == Lines{"1 EstablishedEvent 1/4714 connected newCall",
                             "2 EstablishedEvent 1/4714 connected newCall"});
  // Answering twice is a state error; an unknown call an operation error.
  auto again = w.refused(csta::AnswerCall{{"1", "4714"}});
  CHECK(again.category == "stateIncompatibility");
  CHECK(again.value == "invalidConnectionState");
  CHECK(w.refused(csta::AnswerCall{{"99", "4714"}}).value == "invalidCallID");
  CHECK(w.refused(csta::AnswerCall{{"1", "4713"}}).value == "invalidConnectionID");
  w.ok<csta::ClearConnectionResponse>(csta::ClearConnection{{"1", "4711"}});
  CHECK(w.events(4) == Lines{"1 ConnectionClearedEvent 1/4711 null normalClearing",
                             "2 ConnectionClearedEvent 1/4711 connected normalClearing",
                             "1 ConnectionClearedEvent 1/4714 null normalClearing",
                             "2 ConnectionClearedEvent 1/4714 null normalClearing"});
  CHECK(w.refused(csta::ClearConnection{{"1", "4714"}}).value == "invalidCallID");
}

TEST_CASE("hold and retrieve produce Held and Retrieved to both parties", "[cti][sim]") {
  World w({"4711", "4714"});
  w.ok<csta::MakeCallResponse>(csta::MakeCall{"4711", "4714", std::nullopt});
  w.events(4);
  w.ok<csta::AnswerCallResponse>(csta::AnswerCall{{"1", "4714"}});
  w.events(2);
  w.ok<csta::HoldCallResponse>(csta::HoldCall{{"1", "4711"}});
  CHECK(w.events(2) ==
        Lines{"1 HeldEvent 1/4711 hold normal", "2 HeldEvent 1/4711 connected normal"});
  CHECK(w.refused(csta::HoldCall{{"1", "4711"}}).value == "invalidConnectionState");
  w.ok<csta::RetrieveCallResponse>(csta::RetrieveCall{{"1", "4711"}});
  CHECK(w.events(2) == Lines{"1 RetrievedEvent 1/4711 connected normal",
                             "2 RetrievedEvent 1/4711 connected normal"});
  CHECK(w.refused(csta::RetrieveCall{{"1", "4711"}}).value == "invalidConnectionState");
}

TEST_CASE("consultation then transfer leaves the consultation call between the others",
          "[cti][sim]") {
  World w({"4711", "4713", "4714"});  // 1 = 4711 (A), 2 = 4713 (C), 3 = 4714 (B)
  w.ok<csta::MakeCallResponse>(csta::MakeCall{"4711", "4714", std::nullopt});
  w.events(4);
  w.ok<csta::AnswerCallResponse>(csta::AnswerCall{{"1", "4714"}});
  w.events(2);
  auto cc = w.ok<csta::ConsultationCallResponse>(csta::ConsultationCall{{"1", "4711"}, "4713"});
  CHECK(conn(cc.initiated_call) == "2/4711");
  CHECK(w.events(6) == Lines{
                           "1 HeldEvent 1/4711 hold consultation",
                           "3 HeldEvent 1/4711 connected consultation",
                           "1 ServiceInitiatedEvent 2/4711 initiated consultation",
                           "1 OriginatedEvent 2/4711 connected consultation",
                           "1 DeliveredEvent 2/4713 connected newCall from 4711 redirected -",
                           "2 DeliveredEvent 2/4713 alerting newCall from 4711 redirected -",
                       });
  w.ok<csta::AnswerCallResponse>(csta::AnswerCall{{"2", "4713"}});
  w.events(2);
  auto t = w.ok<csta::TransferCallResponse>(csta::TransferCall{{"1", "4711"}, {"2", "4711"}});
  CHECK(t.transferred_call.call_id == "2");
  CHECK(w.events(3) ==
        Lines{
            "1 TransferedEvent 1/4711+2/4711 null transfer [1/4714>2/4714 2/4713>2/4713 ]",
            "2 TransferedEvent 1/4711+2/4711 connected transfer [1/4714>2/4714 2/4713>2/4713 ]",
            "3 TransferedEvent 1/4711+2/4711 connected transfer [1/4714>2/4714 2/4713>2/4713 ]",
        });
  // The held call's ID is gone; the survivor holds B and C.
  CHECK(w.refused(csta::ClearConnection{{"1", "4714"}}).value == "invalidCallID");
  auto snap = w.ok<csta::SnapshotDeviceResponse>(csta::SnapshotDevice{"4714"});
  REQUIRE(snap.calls.size() == 1);
  CHECK(conn(snap.calls[0].connection) == "2/4714");
  CHECK(snap.calls[0].local_connection_state == "connected");
}

TEST_CASE("conference joins the consultation party into the held call", "[cti][sim]") {
  World w({"4711", "4713", "4714"});
  w.ok<csta::MakeCallResponse>(csta::MakeCall{"4711", "4714", std::nullopt});
  w.events(4);
  w.ok<csta::AnswerCallResponse>(csta::AnswerCall{{"1", "4714"}});
  w.events(2);
  w.ok<csta::ConsultationCallResponse>(csta::ConsultationCall{{"1", "4711"}, "4713"});
  w.events(6);
  w.ok<csta::AnswerCallResponse>(csta::AnswerCall{{"2", "4713"}});
  w.events(2);
  auto cf = w.ok<csta::ConferenceCallResponse>(csta::ConferenceCall{{"1", "4711"}, {"2", "4711"}});
  CHECK(conn(cf.conference_call) == "1/4711");
  const std::string list = " [1/4711>1/4711 1/4714>1/4714 2/4713>1/4713 ]";
  CHECK(w.events(3) == Lines{
                           "1 ConferencedEvent 1/4711+2/4711 connected conference" + list,
                           "2 ConferencedEvent 1/4711+2/4711 connected conference" + list,
                           "3 ConferencedEvent 1/4711+2/4711 connected conference" + list,
                       });
  // One party leaving a three-party call leaves the other two talking.
  w.ok<csta::ClearConnectionResponse>(csta::ClearConnection{{"1", "4711"}});
  CHECK(w.events(3) == Lines{"1 ConnectionClearedEvent 1/4711 null normalClearing",
                             "2 ConnectionClearedEvent 1/4711 connected normalClearing",
                             "3 ConnectionClearedEvent 1/4711 connected normalClearing"});
}

TEST_CASE("single-step transfer hands the call on and rings the target", "[cti][sim]") {
  World w({"4711", "4713", "4714"});
  w.ok<csta::MakeCallResponse>(csta::MakeCall{"4711", "4714", std::nullopt});
  w.events(4);
  w.ok<csta::AnswerCallResponse>(csta::AnswerCall{{"1", "4714"}});
  w.events(2);
  auto r = w.ok<csta::SingleStepTransferCallResponse>(
      csta::SingleStepTransferCall{{"1", "4711"}, "4713"});
  CHECK(conn(r.transferred_call) == "1/4713");
  const std::string list = " [1/4714>1/4714 ->1/4713 ]";
  CHECK(w.events(5) ==
        Lines{
            "1 TransferedEvent 1/4711+- null singleStepTransfer" + list,
            "2 TransferedEvent 1/4711+- null singleStepTransfer" + list,
            "3 TransferedEvent 1/4711+- connected singleStepTransfer" + list,
            "2 DeliveredEvent 1/4713 alerting singleStepTransfer from 4714 redirected 4711",
            "3 DeliveredEvent 1/4713 connected singleStepTransfer from 4714 redirected 4711",
        });
}

TEST_CASE("deflect sends a ringing call elsewhere", "[cti][sim]") {
  World w({"4711", "4713", "4714"});
  w.ok<csta::MakeCallResponse>(csta::MakeCall{"4711", "4714", std::nullopt});
  w.events(4);
  w.ok<csta::DeflectCallResponse>(csta::DeflectCall{{"1", "4714"}, "4713"});
  CHECK(w.events(4) == Lines{
                           "1 DivertedEvent 1/4714 connected redirected to 4713",
                           "3 DivertedEvent 1/4714 null redirected to 4713",
                           "1 DeliveredEvent 1/4713 connected redirected from 4711 redirected 4714",
                           "2 DeliveredEvent 1/4713 alerting redirected from 4711 redirected 4714",
                       });
  // Deflecting a call that is not ringing there is a state error.
  CHECK(w.refused(csta::DeflectCall{{"1", "4711"}, "4714"}).value == "invalidConnectionState");
}

TEST_CASE("forwarding diverts new calls and reports ForwardingEvent", "[cti][sim]") {
  World w({"4711", "4713", "4714"});
  csta::SetForwarding on;
  on.device = "4714";
  on.forwarding_type = "forwardImmediate";
  on.activate_forward = true;
  on.forward_dn = "4713";
  w.ok<csta::SetForwardingResponse>(on);
  CHECK(w.events(1) == Lines{"3 ForwardingEvent 4714 forwardImmediate on 4713"});
  auto g = w.ok<csta::GetForwardingResponse>(csta::GetForwarding{"4714"});
  REQUIRE(g.forwarding_list.size() == 1);
  CHECK(g.forwarding_list[0].forward_status);
  w.ok<csta::MakeCallResponse>(csta::MakeCall{"4711", "4714", std::nullopt});
  CHECK(w.events(4) ==
        Lines{
            "1 ServiceInitiatedEvent 1/4711 initiated makeCall",
            "1 OriginatedEvent 1/4711 connected makeCall",
            "1 DeliveredEvent 1/4713 connected callForwardImmediate from 4711 redirected 4714",
            "2 DeliveredEvent 1/4713 alerting callForwardImmediate from 4711 redirected 4714",
        });
  csta::SetForwarding bad = on;
  bad.forwarding_type = "forwardSometimes";
  CHECK(w.refused(bad).value == "invalidForwardingType");
}

TEST_CASE("do-not-disturb makes a call fail with cause doNotDisturb", "[cti][sim]") {
  World w({"4711", "4714"});
  w.ok<csta::SetDoNotDisturbResponse>(csta::SetDoNotDisturb{"4714", true});
  CHECK(w.events(1) == Lines{"2 DoNotDisturbEvent 4714 on"});
  CHECK(w.ok<csta::GetDoNotDisturbResponse>(csta::GetDoNotDisturb{"4714"}).do_not_disturb_on);
  w.ok<csta::MakeCallResponse>(csta::MakeCall{"4711", "4714", std::nullopt});
  CHECK(w.events(4) == Lines{
                           "1 ServiceInitiatedEvent 1/4711 initiated makeCall",
                           "1 OriginatedEvent 1/4711 connected makeCall",
                           "1 FailedEvent 1/4714 connected doNotDisturb",
                           "2 FailedEvent 1/4714 null doNotDisturb",
                       });
}

TEST_CASE("a scripted incoming call rings, the far end hangs up", "[cti][sim]") {
  World w({"4711"});
  CHECK(w.sim.control("call 0612345678 4711") == "ok 1");
  CHECK(w.events(1) ==
        Lines{"1 DeliveredEvent 1/4711 alerting newCall from 0612345678 redirected -"});
  w.ok<csta::AnswerCallResponse>(csta::AnswerCall{{"1", "4711"}});
  CHECK(w.events(1) == Lines{"1 EstablishedEvent 1/4711 connected newCall"});
  CHECK(w.sim.control("hangup 0612345678") == "ok");
  CHECK(w.events(2) == Lines{"1 ConnectionClearedEvent 1/0612345678 connected normalClearing",
                             "1 ConnectionClearedEvent 1/4711 null normalClearing"});
  CHECK(w.sim.control("status") ==
        "ok sessions=1 monitors=1 calls=0 monitor-stops=0 status-answers=0");
}

TEST_CASE("an external far end answers through the control channel", "[cti][sim]") {
  World w({"4711"});
  w.ok<csta::MakeCallResponse>(csta::MakeCall{"4711", "0612345678", std::nullopt});
  CHECK(w.events(3).size() == 3);
  CHECK(w.sim.control("answer 0612345678") == "ok");
  CHECK(w.events(1) == Lines{"1 EstablishedEvent 1/0612345678 connected newCall"});
}

TEST_CASE("an unregistered device is out of service until it registers", "[cti][sim]") {
  World w({"4711", "4714"});
  CHECK(w.sim.control("unregister SEP0000000000B1") == "ok");
  auto e = w.refused(csta::MakeCall{"4714", "4711", std::nullopt});
  CHECK(e.category == "systemResourceAvailability");
  CHECK(e.value == "resourceOutOfService");
  w.ok<csta::MakeCallResponse>(csta::MakeCall{"4711", "4714", std::nullopt});
  const auto failed = w.events(4);
  CHECK(failed[2] == "1 FailedEvent 1/4714 connected destNotObtainable");
  CHECK(failed[3] == "2 FailedEvent 1/4714 null destNotObtainable");
  CHECK(w.sim.control("register SEP0000000000B1") == "ok");
  w.ok<csta::MakeCallResponse>(csta::MakeCall{"4714", "4711", std::nullopt});
  CHECK(w.events(4).size() == 4);
  CHECK(w.sim.control("register NOSUCHDEVICE").rfind("error", 0) == 0);
}

TEST_CASE("monitors and snapshots follow the rules of the notes", "[cti][sim]") {
  World w({});
  auto m1 = w.ok<csta::MonitorStartResponse>(csta::MonitorStart{"4712"});
  auto m2 = w.ok<csta::MonitorStartResponse>(csta::MonitorStart{"4712"});
  CHECK(m1.monitor_cross_ref_id == m2.monitor_cross_ref_id);  // one per (session, device)
  CHECK(w.refused(csta::MonitorStart{"9999"}).value == "invalidDeviceID");
  CHECK(w.ok<csta::SnapshotDeviceResponse>(csta::SnapshotDevice{"4712"}).calls.empty());
  CHECK(w.refused(csta::SnapshotDevice{"9999"}).value == "invalidDeviceID");
  w.ok<csta::MonitorStopResponse>(csta::MonitorStop{m1.monitor_cross_ref_id});
  CHECK(w.refused(csta::MonitorStop{m1.monitor_cross_ref_id}).value ==
        "invalidMonitorCrossReferenceID");
  // Services the simulator does not model are refused, not dropped.
  CHECK(w.refused(csta::GetCSTAFeatures{}).value == "serviceNotSupported");
}
