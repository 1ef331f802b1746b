// rcc::ctisim::World in-process: no simulator process, no sockets. Requests go in through
// handle(), and what comes out is checked whole: who it is addressed to, in which order, with
// which crossRefIDs. tests/cti/call_model_test.cc checks the same sequences over a real link.
// Lines read "session invoke Element [crossRef connection lci cause ...]" (events: invoke 9999).

#include "ctisim/world.h"

#include <catch2/catch.hpp>

#include <string>
#include <type_traits>
#include <vector>

using namespace rcc;
using ctisim::Out;
using ctisim::SessionId;

namespace {

// Four registered phones, one line each; 4713 is on a phone that is not registered.
constexpr const char* kDirectory = R"(
[[device]]
name = "SEP000000004711"
registered = true
lines = [{ dn = "4711" }]

[[device]]
name = "SEP000000004712"
registered = true
lines = [{ dn = "4712" }]

[[device]]
name = "SEP000000004713"
registered = false
lines = [{ dn = "4713" }]

[[device]]
name = "SEP000000004714"
registered = true
lines = [{ dn = "4714" }]
)";

constexpr int kEvent = 9999;

std::string conn(const csta::ConnectionId& c) {
  return c.call_id + "/" + c.device_id;
}
std::string dev(const std::optional<csta::DeviceRef>& d) {
  if (!d) return "?";
  return d->kind == csta::DeviceRef::Kind::identifier ? d->id : "-";
}

std::string describe(const csta::Body& body) {
  return std::visit(
      [](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        std::string s(T::kElement);
        auto tail = [](const std::optional<std::string>& lci,
                       const std::optional<std::string>& cause) {
          return " " + lci.value_or("?") + " " + cause.value_or("?");
        };
        if constexpr (std::is_same_v<T, csta::MonitorStartResponse>)
          s += " " + b.monitor_cross_ref_id;
        else if constexpr (std::is_same_v<T, csta::MakeCallResponse>)
          s += " " + conn(b.calling_device);
        else if constexpr (std::is_same_v<T, csta::CSTAErrorCode>)
          s += " " + b.category + "/" + b.value;
        else if constexpr (std::is_same_v<T, csta::ServiceInitiatedEvent>)
          s += " " + b.monitor_cross_ref_id + " " + conn(b.initiated_connection) +
               tail(b.local_connection_info, b.cause);
        else if constexpr (std::is_same_v<T, csta::OriginatedEvent>)
          s += " " + b.monitor_cross_ref_id + " " + conn(b.originated_connection) +
               tail(b.local_connection_info, b.cause);
        else if constexpr (std::is_same_v<T, csta::DeliveredEvent>)
          s += " " + b.monitor_cross_ref_id + " " + conn(b.connection) +
               tail(b.local_connection_info, b.cause) + " from " + dev(b.calling_device);
        else if constexpr (std::is_same_v<T, csta::EstablishedEvent>)
          s += " " + b.monitor_cross_ref_id + " " + conn(b.established_connection) +
               tail(b.local_connection_info, b.cause);
        else if constexpr (std::is_same_v<T, csta::ConnectionClearedEvent>)
          s += " " + b.monitor_cross_ref_id + " " + conn(b.dropped_connection) +
               tail(b.local_connection_info, b.cause);
        else if constexpr (std::is_same_v<T, csta::DoNotDisturbEvent>)
          s += " " + b.monitor_cross_ref_id + " " + dev(b.device) +
               (b.do_not_disturb_on ? " on" : " off");
        return s;
      },
      body);
}

std::vector<std::string> lines(const std::vector<Out>& out) {
  std::vector<std::string> v;
  for (const auto& o : out)
    v.push_back(std::to_string(o.session) + " " + std::to_string(o.invoke_id) + " " +
                describe(o.body));
  return v;
}

using Lines = std::vector<std::string>;

directory::FileDirectory test_directory() {
  auto d = directory::parse_directory(kDirectory, "world_test.toml");
  INFO((d ? std::string() : d.error().message()));
  REQUIRE(d);
  return std::move(*d);
}

/// A World over kDirectory, and the requests sessions send it (invoke IDs 1, 2, ...).
struct Fixture {
  directory::FileDirectory directory = test_directory();
  ctisim::World world{directory};
  int invoke = 0;

  /// Everything one request produces, in order.
  std::vector<Out> send(SessionId session, csta::Body request) {
    std::vector<Out> out;
    world.handle(session, ++invoke, request, out);
    return out;
  }
  /// The crossRefID of a MonitorStart that must succeed, with no events.
  std::string monitor(SessionId session, const std::string& dn) {
    const auto out = send(session, csta::MonitorStart{dn});
    REQUIRE(out.size() == 1);
    CHECK(out[0].session == session);
    CHECK(out[0].invoke_id == invoke);
    const auto* r = std::get_if<csta::MonitorStartResponse>(&out[0].body);
    INFO(describe(out[0].body));
    REQUIRE(r != nullptr);
    CHECK_FALSE(r->monitor_cross_ref_id.empty());
    return r->monitor_cross_ref_id;
  }
  /// The error a request that must be refused gets, addressed to its session, with no events.
  csta::CSTAErrorCode refused(SessionId session, csta::Body request) {
    const auto out = send(session, std::move(request));
    REQUIRE(out.size() == 1);
    CHECK(out[0].session == session);
    CHECK(out[0].invoke_id == invoke);
    const auto* e = std::get_if<csta::CSTAErrorCode>(&out[0].body);
    INFO(describe(out[0].body));
    REQUIRE(e != nullptr);
    return *e;
  }
};

}  // namespace

TEST_CASE("world returns one crossRefID per session and device, a new one for another session",
          "[ctisim][world]") {
  Fixture f;
  const std::string first = f.monitor(1, "4711");
  CHECK(f.world.monitor_count() == 1);
  // The same session asking again gets the same monitor, not a second one.
  CHECK(f.monitor(1, "4711") == first);
  CHECK(f.world.monitor_count() == 1);
  // Another device of the same session, and the same device for another session: new monitors.
  const std::string other_device = f.monitor(1, "4714");
  CHECK(other_device != first);
  const std::string other_session = f.monitor(2, "4711");
  CHECK(other_session != first);
  CHECK(other_session != other_device);
  CHECK(f.world.monitor_count() == 3);
  // A number the directory does not know cannot be monitored, and adds nothing.
  const auto e = f.refused(1, csta::MonitorStart{"9999"});
  CHECK(e.category == "operation");
  CHECK(e.value == "invalidDeviceID");
  CHECK(f.world.monitor_count() == 3);
}

TEST_CASE("world answers MakeCall first, then sends each monitor its events in order",
          "[ctisim][world]") {
  Fixture f;
  const std::string a = f.monitor(1, "4711");  // the caller's session
  const std::string b = f.monitor(2, "4714");  // the called party's session
  REQUIRE(a < b);                              // events go out in crossRefID order

  auto out = f.send(1, csta::MakeCall{"4711", "4714", std::nullopt});
  const std::string mc = std::to_string(f.invoke);
  // The order tests/cti/call_model_test.cc expects on the wire, the response before them all.
  CHECK(lines(out) == Lines{
                          "1 " + mc + " MakeCallResponse 1/4711",
                          "1 9999 ServiceInitiatedEvent " + a + " 1/4711 initiated makeCall",
                          "1 9999 OriginatedEvent " + a + " 1/4711 connected makeCall",
                          "1 9999 DeliveredEvent " + a + " 1/4714 connected newCall from 4711",
                          "2 9999 DeliveredEvent " + b + " 1/4714 alerting newCall from 4711",
                      });
  CHECK(f.world.call_count() == 1);

  out = f.send(2, csta::AnswerCall{{"1", "4714"}});
  const std::string ac = std::to_string(f.invoke);
  CHECK(lines(out) == Lines{
                          "2 " + ac + " AnswerCallResponse",
                          "1 9999 EstablishedEvent " + a + " 1/4714 connected newCall",
                          "2 9999 EstablishedEvent " + b + " 1/4714 connected newCall",
                      });

  // The caller clears: its own leg, then the switch clears the one party left.
  out = f.send(1, csta::ClearConnection{{"1", "4711"}});
  const std::string cc = std::to_string(f.invoke);
  CHECK(lines(out) == Lines{
                          "1 " + cc + " ClearConnectionResponse",
                          "1 9999 ConnectionClearedEvent " + a + " 1/4711 null normalClearing",
                          "2 9999 ConnectionClearedEvent " + b + " 1/4711 connected normalClearing",
                          "1 9999 ConnectionClearedEvent " + a + " 1/4714 null normalClearing",
                          "2 9999 ConnectionClearedEvent " + b + " 1/4714 null normalClearing",
                      });
  CHECK(f.world.call_count() == 0);
}

TEST_CASE("world MonitorStop removes only that monitor", "[ctisim][world]") {
  Fixture f;
  const std::string a = f.monitor(1, "4711");
  const std::string b = f.monitor(1, "4714");
  const std::string c = f.monitor(2, "4714");
  REQUIRE(f.world.monitor_count() == 3);

  const auto stop = f.send(1, csta::MonitorStop{b});
  CHECK(lines(stop) == Lines{"1 " + std::to_string(f.invoke) + " MonitorStopResponse"});
  CHECK(f.world.monitor_count() == 2);

  // 4714 is still watched by session 2 (c) and session 1 still watches 4711 (a); b hears nothing.
  const auto out = f.send(1, csta::MakeCall{"4711", "4714", std::nullopt});
  CHECK(lines(out) == Lines{
                          "1 " + std::to_string(f.invoke) + " MakeCallResponse 1/4711",
                          "1 9999 ServiceInitiatedEvent " + a + " 1/4711 initiated makeCall",
                          "1 9999 OriginatedEvent " + a + " 1/4711 connected makeCall",
                          "1 9999 DeliveredEvent " + a + " 1/4714 connected newCall from 4711",
                          "2 9999 DeliveredEvent " + c + " 1/4714 alerting newCall from 4711",
                      });

  // The stopped crossRefID is gone: stopping it again is refused.
  const auto again = f.refused(1, csta::MonitorStop{b});
  CHECK(again.category == "operation");
  CHECK(again.value == "invalidMonitorCrossReferenceID");
  CHECK(f.world.monitor_count() == 2);
}

TEST_CASE("world drop_session removes every monitor of that session and no other",
          "[ctisim][world]") {
  Fixture f;
  const std::string a = f.monitor(1, "4711");
  const std::string b = f.monitor(1, "4714");
  const std::string c = f.monitor(2, "4714");
  const std::string d = f.monitor(2, "4712");
  REQUIRE(f.world.monitor_count() == 4);

  f.world.drop_session(1);
  CHECK(f.world.monitor_count() == 2);
  // A session that has no monitors: nothing changes.
  f.world.drop_session(7);
  CHECK(f.world.monitor_count() == 2);

  // A call from 4711 to 4714: only session 2's monitor of 4714 hears it.
  auto out = f.send(2, csta::MakeCall{"4711", "4714", std::nullopt});
  CHECK(lines(out) == Lines{
                          "2 " + std::to_string(f.invoke) + " MakeCallResponse 1/4711",
                          "2 9999 DeliveredEvent " + c + " 1/4714 alerting newCall from 4711",
                      });
  // Session 2's monitor of 4712 survived too.
  out = f.send(2, csta::SetDoNotDisturb{"4712", true});
  CHECK(lines(out) == Lines{"2 " + std::to_string(f.invoke) + " SetDoNotDisturbResponse",
                            "2 9999 DoNotDisturbEvent " + d + " 4712 on"});
  // Session 1's crossRefIDs no longer exist, even for session 1.
  CHECK(f.refused(1, csta::MonitorStop{a}).value == "invalidMonitorCrossReferenceID");
  CHECK(f.refused(1, csta::MonitorStop{b}).value == "invalidMonitorCrossReferenceID");
  // Monitoring again after the drop makes a new monitor, not the old one.
  const std::string again = f.monitor(1, "4711");
  CHECK(again != a);
  CHECK(f.world.monitor_count() == 3);
}

TEST_CASE("world refuses MonitorStop with another session's crossRefID", "[ctisim][world]") {
  Fixture f;
  const std::string a = f.monitor(1, "4711");
  const std::string mine = f.monitor(2, "4712");

  const auto e = f.refused(2, csta::MonitorStop{a});
  CHECK(e.category == "operation");
  CHECK(e.value == "invalidMonitorCrossReferenceID");
  CHECK(f.world.monitor_count() == 2);
  // The monitor still works for its owner.
  const auto out = f.send(2, csta::SetDoNotDisturb{"4711", true});
  CHECK(lines(out) == Lines{"2 " + std::to_string(f.invoke) + " SetDoNotDisturbResponse",
                            "1 9999 DoNotDisturbEvent " + a + " 4711 on"});
  // And its owner can stop it; the other session's own monitor is untouched.
  auto stopped = f.send(1, csta::MonitorStop{a});
  CHECK(lines(stopped) == Lines{"1 " + std::to_string(f.invoke) + " MonitorStopResponse"});
  CHECK(f.world.monitor_count() == 1);
  stopped = f.send(2, csta::MonitorStop{mine});
  CHECK(lines(stopped) == Lines{"2 " + std::to_string(f.invoke) + " MonitorStopResponse"});
  CHECK(f.world.monitor_count() == 0);
}

TEST_CASE("world sends an event for a device monitored by two sessions to both",
          "[ctisim][world]") {
  Fixture f;
  const std::string a = f.monitor(1, "4714");
  const std::string b = f.monitor(2, "4714");
  REQUIRE(a < b);

  // A device event (no call).
  auto out = f.send(1, csta::SetDoNotDisturb{"4714", true});
  CHECK(lines(out) == Lines{"1 " + std::to_string(f.invoke) + " SetDoNotDisturbResponse",
                            "1 9999 DoNotDisturbEvent " + a + " 4714 on",
                            "2 9999 DoNotDisturbEvent " + b + " 4714 on"});
  REQUIRE(lines(f.send(1, csta::SetDoNotDisturb{"4714", false})).size() == 3);

  // A call event: an outside caller rings 4714 (the control channel; no response, events only).
  out.clear();
  auto id = f.world.incoming_call("0612345678", "4714", out);
  REQUIRE(id);
  CHECK(*id == "1");
  CHECK(lines(out) == Lines{
                          "1 9999 DeliveredEvent " + a + " 1/4714 alerting newCall from 0612345678",
                          "2 9999 DeliveredEvent " + b + " 1/4714 alerting newCall from 0612345678",
                      });
  for (const auto& o : out)
    CHECK(o.invoke_id == kEvent);
}

TEST_CASE("world refuses a call from a phone that is not registered, with no events",
          "[ctisim][world]") {
  Fixture f;
  f.monitor(1, "4713");
  f.monitor(1, "4711");
  const auto e = f.refused(1, csta::MakeCall{"4713", "4711", std::nullopt});
  CHECK(e.category == "systemResourceAvailability");
  CHECK(e.value == "resourceOutOfService");
  CHECK(f.world.call_count() == 0);
  // Once it registers, the same request places the call.
  REQUIRE(f.world.set_registered("SEP000000004713", true));
  const auto out = f.send(1, csta::MakeCall{"4713", "4711", std::nullopt});
  REQUIRE_FALSE(out.empty());
  CHECK(describe(out[0].body) == "MakeCallResponse 1/4713");
  CHECK(f.world.call_count() == 1);
}

TEST_CASE("World answers per device on a shared line: registration, origin, the answering phone",
          "[ctisim]") {
  auto d = directory::parse_directory(R"(
[[device]]
name = "SEPSHARED0001"
registered = true
lines = [{ dn = "4800" }]

[[device]]
name = "SEPSHARED0002"
registered = false
lines = [{ dn = "4800" }]
)",
                                      "shared.toml");
  REQUIRE(d);
  ctisim::World w(*d);
  int invoke = 0;
  auto send = [&](csta::Body request) {
    std::vector<Out> out;
    w.handle(1, ++invoke, request, out);
    REQUIRE(!out.empty());
    return out;
  };
  auto calls_at = [&](const std::string& device) {
    const auto out = send(csta::SnapshotDevice{device});
    const auto* r = std::get_if<csta::SnapshotDeviceResponse>(&out.front().body);
    INFO(describe(out.front().body));
    REQUIRE(r != nullptr);
    Lines v;
    for (const auto& c : r->calls)
      v.push_back(conn(c.connection) + " " + c.local_connection_state);
    return v;
  };
  // The line answers for any device; each device for itself.
  CHECK(std::holds_alternative<csta::SnapshotDeviceResponse>(
      send(csta::SnapshotDevice{"4800"}).front().body));
  CHECK(calls_at("SEPSHARED0001").empty());
  CHECK(describe(send(csta::SnapshotDevice{"SEPSHARED0002"}).front().body) ==
        "CSTAErrorCode systemResourceAvailability/resourceOutOfService");
  CHECK(describe(send(csta::SnapshotDevice{"SEPNOBODY"}).front().body) ==
        "CSTAErrorCode operation/invalidDeviceID");
  REQUIRE(w.set_registered("SEPSHARED0002", true));

  // A call to the line rings both; the second phone answers it; the first no longer has it.
  const std::string xref = [&] {
    const auto out = send(csta::MonitorStart{"4800"});
    return std::get<csta::MonitorStartResponse>(out.front().body).monitor_cross_ref_id;
  }();
  std::vector<Out> out;
  REQUIRE(w.incoming_call("0611", "4800", out));
  CHECK(calls_at("SEPSHARED0001") == Lines{"1/4800 alerting"});
  CHECK(calls_at("SEPSHARED0002") == Lines{"1/4800 alerting"});
  out.clear();
  REQUIRE(w.answer("SEPSHARED0002", out));
  REQUIRE(out.size() == 1);
  const auto& est = std::get<csta::EstablishedEvent>(out.front().body);
  CHECK(est.monitor_cross_ref_id == xref);
  CHECK(conn(est.established_connection) == "1/4800");  // the connection stays on the line
  CHECK(est.answering_device.id == "SEPSHARED0002");
  CHECK(calls_at("SEPSHARED0001").empty());
  CHECK(calls_at("SEPSHARED0002") == Lines{"1/4800 connected"});
  out.clear();
  REQUIRE(w.hangup("0611", out));

  // AnswerCall naming the line: the first registered device answers; naming a device: that one.
  REQUIRE(w.incoming_call("0622", "4800", out));
  CHECK(describe(send(csta::AnswerCall{{"2", "4800"}}).front().body) == "AnswerCallResponse");
  CHECK(calls_at("SEPSHARED0001") == Lines{"2/4800 connected"});
  REQUIRE(w.hangup("0622", out));
  REQUIRE(w.incoming_call("0633", "4800", out));
  CHECK(describe(send(csta::AnswerCall{{"3", "SEPSHARED0002"}}).front().body) ==
        "AnswerCallResponse");
  CHECK(calls_at("SEPSHARED0002") == Lines{"3/4800 connected"});
  REQUIRE(w.hangup("0633", out));

  // MakeCall from a device by name: on its line, from that phone only.
  CHECK(describe(send(csta::MakeCall{"SEPSHARED0002", "0644", std::nullopt}).front().body) ==
        "MakeCallResponse 4/4800");
  CHECK(calls_at("SEPSHARED0001").empty());
  CHECK(calls_at("SEPSHARED0002") == Lines{"4/4800 connected"});
  // An unregistered phone cannot originate, even when the line's other phone could.
  REQUIRE(w.set_registered("SEPSHARED0001", false));
  CHECK(describe(send(csta::MakeCall{"SEPSHARED0001", "0655", std::nullopt}).front().body) ==
        "CSTAErrorCode systemResourceAvailability/resourceOutOfService");
}
