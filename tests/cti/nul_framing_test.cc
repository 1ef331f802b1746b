// cti::Link over NUL-terminated framing (frames without invoke IDs): against real rcc-ctisim
// processes started with --framing nul-terminated, and against a scripted node that misbehaves.
// Devices of examples/directory.toml: 4711 (John), 4714 (Sam).

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <poll.h>

#include <atomic>
#include <regex>
#include <thread>

#include <catch2/catch.hpp>

#include "cti/link.h"
#include "cti/sim_process.h"
#include "cti/test_client.h"

using namespace rcc;
using namespace rcc::testing;
using namespace std::chrono_literals;
namespace net = boost::asio;

namespace {

SimProcess nul_sim() {
  return SimProcess({"--framing", "nul-terminated"});
}

void nul_options(TestClient& c) {
  c.options().frame_limits.framing = cti::Framing::nul_terminated;
}

/// The replies of requests sent at once, in the order the replies came.
struct Replies {
  std::vector<std::pair<int, Result<csta::Message>>> got;
  cti::Link::Reply slot(int n) {
    return [this, n](Result<csta::Message> r) { got.emplace_back(n, std::move(r)); };
  }
};

template <class T>
bool is(const Result<csta::Message>& r) {
  return r && std::holds_alternative<T>(r->body);
}

std::string ed3(csta::Body body) {
  return csta::encode(csta::Message{csta::Namespace::ed3, std::move(body)},
                      csta::EncodeOptions{false}) +
         std::string(1, '\0');
}

}  // namespace

TEST_CASE("a NUL-framed link starts a session, monitors, calls and gets the events",
          "[cti][link][nul]") {
  auto sim = nul_sim();
  TestClient c(sim.address());
  nul_options(c);
  REQUIRE(c.start());
  CHECK(c.link->one_at_a_time());
  CHECK_FALSE(c.link->session_id().empty());
  CHECK(c.heartbeat());
  auto mon = c.call(csta::MonitorStart{"4711"});
  REQUIRE(is<csta::MonitorStartResponse>(mon));
  CHECK(std::get<csta::MonitorStartResponse>(mon->body).monitor_cross_ref_id == "1");
  auto mc = c.call(csta::MakeCall{"4711", "4714", std::nullopt});
  REQUIRE(is<csta::MakeCallResponse>(mc));
  CHECK(std::get<csta::MakeCallResponse>(mc->body).calling_device.device_id == "4711");
  const auto& events = c.wait_events(3);
  REQUIRE(events.size() == 3);
  CHECK(std::holds_alternative<csta::ServiceInitiatedEvent>(events[0].body));
  CHECK(std::holds_alternative<csta::OriginatedEvent>(events[1].body));
  REQUIRE(std::holds_alternative<csta::DeliveredEvent>(events[2].body));
  CHECK(std::get<csta::DeliveredEvent>(events[2].body).monitor_cross_ref_id == "1");
  // A refusal is a response too: it answers its own request.
  auto bad = c.call(csta::MonitorStart{"0000"});
  REQUIRE(is<csta::CSTAErrorCode>(bad));
  CHECK(std::get<csta::CSTAErrorCode>(bad->body).value == "invalidDeviceID");
  std::optional<Result<void>> stopped;
  c.link->stop([&](Result<void> r) { stopped = std::move(r); });
  REQUIRE(c.run_until([&] { return stopped.has_value(); }));
  CHECK(*stopped);
  CHECK_FALSE(c.down.has_value());
}

TEST_CASE("requests queued at once on a NUL-framed link go one at a time and are answered in order",
          "[cti][link][nul]") {
  auto sim = nul_sim();
  TestClient c(sim.address());
  nul_options(c);
  REQUIRE(c.start());
  Replies replies;
  // Five different services: a reply matched to the wrong request would show as a wrong type.
  c.link->request(csta::MonitorStart{"4711"}, replies.slot(0));
  c.link->request(csta::GetDoNotDisturb{"4711"}, replies.slot(1));
  c.link->request(csta::SnapshotDevice{"4714"}, replies.slot(2));
  c.link->request(csta::GetForwarding{"4711"}, replies.slot(3));
  c.link->request(csta::MonitorStart{"4714"}, replies.slot(4));
  CHECK(c.link->outstanding() == 5);
  CHECK(c.link->waiting_to_send() == 4);  // only the first is on the wire
  REQUIRE(c.run_until([&] { return replies.got.size() == 5; }));
  for (int i = 0; i < 5; ++i)
    CHECK(replies.got[std::size_t(i)].first == i);
  CHECK(is<csta::MonitorStartResponse>(replies.got[0].second));
  CHECK(is<csta::GetDoNotDisturbResponse>(replies.got[1].second));
  CHECK(is<csta::SnapshotDeviceResponse>(replies.got[2].second));
  CHECK(is<csta::GetForwardingResponse>(replies.got[3].second));
  REQUIRE(is<csta::MonitorStartResponse>(replies.got[4].second));
  CHECK(std::get<csta::MonitorStartResponse>(replies.got[4].second->body).monitor_cross_ref_id ==
        "2");
  CHECK(c.link->outstanding() == 0);
}

TEST_CASE("a NUL-framed request that times out fails alone and its late answer is not taken",
          "[cti][link][nul]") {
  auto sim = nul_sim();
  TestClient c(sim.address());
  nul_options(c);
  c.options().request_timeout = 300ms;
  REQUIRE(c.start());
  REQUIRE(sim.control("hold-responses on") == "ok");
  Replies replies;
  c.link->request(csta::MonitorStart{"4711"}, replies.slot(0));
  c.link->request(csta::SnapshotDevice{"4711"}, replies.slot(1));
  REQUIRE(c.run_until([&] { return !replies.got.empty(); }));
  REQUIRE(replies.got.size() == 1);
  CHECK(replies.got[0].first == 0);
  REQUIRE_FALSE(replies.got[0].second);
  CHECK(replies.got[0].second.error().code() == cti::Errc::request_timeout);
  // The snapshot waits for the MonitorStart's late answer instead of going out: the simulator
  // holds exactly one answer, the MonitorStart's.
  CHECK(c.link->waiting_to_send() == 1);
  REQUIRE(sim.control("hold-responses off") == "ok 1");
  REQUIRE(c.run_until([&] { return replies.got.size() == 2; }));
  CHECK(replies.got[1].first == 1);
  CHECK(is<csta::SnapshotDeviceResponse>(replies.got[1].second));
  CHECK(c.link->state() == cti::LinkState::active);
  CHECK_FALSE(c.down.has_value());
  // The MonitorStart did reach the node: a second one gets the same crossRefID, and its own
  // answer (not the snapshot's).
  auto again = c.call(csta::MonitorStart{"4711"});
  REQUIRE(is<csta::MonitorStartResponse>(again));
  CHECK(std::get<csta::MonitorStartResponse>(again->body).monitor_cross_ref_id == "1");
}

TEST_CASE("a NUL-framed request behind one never answered goes out after a grace period",
          "[cti][link][nul]") {
  auto sim = nul_sim();
  TestClient c(sim.address());
  nul_options(c);
  c.options().request_timeout = 300ms;
  REQUIRE(c.start());
  REQUIRE(sim.control("silent on") == "ok");  // the first answer is lost for good
  Replies replies;
  const auto t0 = std::chrono::steady_clock::now();
  c.link->request(csta::MonitorStart{"4711"}, replies.slot(0));
  c.link->request(csta::SnapshotDevice{"4711"}, replies.slot(1));
  REQUIRE(c.run_until([&] { return !replies.got.empty(); }));
  REQUIRE_FALSE(replies.got[0].second);
  CHECK(replies.got[0].second.error().code() == cti::Errc::request_timeout);
  REQUIRE(sim.control("silent off") == "ok");
  REQUIRE(c.run_until([&] { return replies.got.size() == 2; }));
  CHECK(is<csta::SnapshotDeviceResponse>(replies.got[1].second));
  // It went out only once the grace period (another request timeout) had passed.
  CHECK(std::chrono::steady_clock::now() - t0 >= 600ms);
  CHECK_FALSE(c.down.has_value());
}

TEST_CASE("an event between a NUL-framed request and its response is an event",
          "[cti][link][nul]") {
  auto sim = nul_sim();
  TestClient c(sim.address());
  nul_options(c);
  REQUIRE(c.start());
  REQUIRE(is<csta::MonitorStartResponse>(c.call(csta::MonitorStart{"4711"})));
  REQUIRE(sim.control("hold-responses on") == "ok");
  std::optional<Result<csta::Message>> snap;
  c.link->request(csta::SnapshotDevice{"4711"},
                  [&](Result<csta::Message> r) { snap = std::move(r); });
  // The control channel's incoming call is not held: its Delivered arrives first.
  REQUIRE(sim.control("call 0612345678 4711") == "ok 1");
  const auto& events = c.wait_events(1);
  REQUIRE(events.size() == 1);
  REQUIRE(std::holds_alternative<csta::DeliveredEvent>(events[0].body));
  CHECK(std::get<csta::DeliveredEvent>(events[0].body).monitor_cross_ref_id == "1");
  CHECK_FALSE(snap.has_value());
  CHECK(c.link->outstanding() == 1);
  // "ok 1" once the simulator has read the snapshot (it may still be on its way: then "ok 0").
  CHECK(sim.control("hold-responses off").rfind("ok ", 0) == 0);
  REQUIRE(c.run_until([&] { return snap.has_value(); }));
  CHECK(is<csta::SnapshotDeviceResponse>(*snap));
  CHECK(c.events.size() == 1);
}

TEST_CASE("a NUL-framed link answers the switch's SystemStatus", "[cti][link][nul]") {
  auto sim = nul_sim();
  TestClient c(sim.address());
  nul_options(c);
  REQUIRE(c.start());
  REQUIRE(sim.control("system-status") == "ok 1");
  const std::regex answered("status-answers=1$");
  bool seen = false;
  for (int i = 0; i < 100 && !seen; ++i) {
    c.run_for(20ms);
    seen = std::regex_search(sim.control("status"), answered);
  }
  CHECK(seen);
  // And the link still matches its own requests afterwards.
  CHECK(c.heartbeat());
}

TEST_CASE("a NUL-framed link drops responses that answer nothing outstanding", "[cti][link][nul]") {
  // A scripted node: it checks that the second request waits for the first's answer, sends a
  // response of the wrong type, an unknown event and then the right answer; after the second
  // answer it sends a response nobody asked for and a SystemStatus, and expects its answer.
  net::io_context peer_io;
  net::ip::tcp::acceptor acceptor(peer_io, {net::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  int seen_before_answer = -1;
  std::string status_answer;
  std::atomic<bool> answered{false};  // status_answer is set (read after the join)
  std::thread node([&] {
    net::ip::tcp::socket s(peer_io);
    acceptor.accept(s);
    cti::FrameLimits limits;
    limits.framing = cti::Framing::nul_terminated;
    cti::FrameDecoder decoder(limits);
    std::vector<cti::Frame> frames;
    boost::system::error_code ec;
    // Reads until `n` frames are in, or `wait` passes without more.
    auto read_frames = [&](std::size_t n, int wait_ms) {
      char buf[4096];
      while (frames.size() < n) {
        pollfd p{s.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, wait_ms) <= 0) return;
        const auto got = s.read_some(net::buffer(buf), ec);
        if (ec || !decoder.feed(std::string_view(buf, got), frames)) return;
      }
    };
    auto write = [&](const std::string& bytes) { net::write(s, net::buffer(bytes), ec); };
    read_frames(1, 5000);  // StartApplicationSession
    if (frames.size() != 1) return;
    write(ed3(csta::StartApplicationSessionPosResponse{
        "S1", std::string(csta::namespace_uri(csta::Namespace::ed3)), 180u}));
    frames.clear();
    read_frames(2, 300);  // the client queued two: only one may come
    seen_before_answer = int(frames.size());
    write(ed3(csta::GetForwardingResponse{}) +
          "<VendorFancyEvent xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/"
          "ed3\"><x>1</x></VendorFancyEvent>" +
          std::string(1, '\0') + ed3(csta::MonitorStartResponse{"42", std::nullopt}));
    read_frames(2, 5000);  // now the second
    if (frames.size() != 2) return;
    write(ed3(csta::SnapshotDeviceResponse{std::string("7"), {}}) +
          ed3(csta::MonitorStartResponse{"43", std::nullopt}) + ed3(csta::SystemStatus{}));
    read_frames(3, 5000);
    if (frames.size() == 3) {
      status_answer = frames[2].body;
      answered = true;
    }
    char buf[64];
    s.read_some(net::buffer(buf), ec);  // until the client closes
  });
  net::io_context ioc;
  cti::LinkOptions o;
  o.node = {"127.0.0.1", std::to_string(port)};
  o.user = "u";
  o.heartbeat_interval = 0ms;
  o.request_timeout = 3s;
  o.frame_limits.framing = cti::Framing::nul_terminated;
  std::optional<Error> down;
  cti::LinkHandlers h;
  std::size_t events = 0;
  h.on_event = [&](const csta::Message&) { ++events; };
  h.on_down = [&](const Error& e) { down = e; };
  auto link = cti::Link::create(ioc, o, h);
  std::optional<Result<void>> started;
  Replies replies;
  link->start([&](Result<void> r) {
    started = std::move(r);
    if (!*started) return;
    link->request(csta::MonitorStart{"4711"}, replies.slot(0));
    link->request(csta::SnapshotDevice{"4711"}, replies.slot(1));
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while ((replies.got.size() < 2 || !answered) && std::chrono::steady_clock::now() < deadline)
    ioc.run_one_for(50ms);
  const bool stayed_up = !down.has_value();
  link->close();
  node.join();
  REQUIRE(started.has_value());
  REQUIRE(*started);
  CHECK(seen_before_answer == 1);
  REQUIRE(replies.got.size() == 2);
  REQUIRE(is<csta::MonitorStartResponse>(replies.got[0].second));
  CHECK(std::get<csta::MonitorStartResponse>(replies.got[0].second->body).monitor_cross_ref_id ==
        "42");
  CHECK(is<csta::SnapshotDeviceResponse>(replies.got[1].second));
  CHECK(events == 0);  // the unknown event was skipped, not delivered
  CHECK(status_answer.find("SystemStatusResponse") != std::string::npos);
  CHECK(stayed_up);
}
