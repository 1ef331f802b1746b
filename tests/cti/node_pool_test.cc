// cti::NodePool against three real rcc-ctisim processes.

#include "cti/node_pool.h"

#include <catch2/catch.hpp>

#include "cti/sim_process.h"

using namespace rcc;
using namespace rcc::testing;
using namespace std::chrono_literals;
namespace net = boost::asio;

namespace {

cti::LinkOptions credentials() {
  cti::LinkOptions o;
  o.user = "rccgateway";
  o.password = "rcc-lab-password";
  o.request_timeout = 400ms;
  o.connect_timeout = 1s;
  return o;
}

cti::PoolTimings fast() {
  cti::PoolTimings t;
  t.heartbeat_interval = 200ms;
  t.heartbeat_window = 600ms;
  t.backoff_initial = 100ms;
  t.backoff_max = 400ms;
  return t;
}

/// How long a test waits for something the pool does on its own (reconnect, notice a drop):
/// every delay and timeout that can stand in the way, ten times over. The bound is there so that
/// a hang fails; a loaded CI machine only makes the wait longer, not the test fail.
std::chrono::milliseconds patience() {
  const auto o = credentials();
  const auto t = fast();
  return 10 * (t.backoff_max + o.connect_timeout + o.request_timeout + t.heartbeat_window);
}

template <class Pred>
bool run_until(net::io_context& ioc, Pred pred, std::chrono::milliseconds limit = patience()) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!pred()) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return false;
    ioc.run_one_for(std::min<std::chrono::nanoseconds>(deadline - now, 50ms));
    if (ioc.stopped()) ioc.restart();
  }
  return true;
}

std::vector<cti::NodeAddress> addresses(const std::vector<SimProcess*>& sims) {
  std::vector<cti::NodeAddress> out;
  for (auto* s : sims)
    out.push_back(*cti::parse_node_address(s->address()));
  return out;
}

}  // namespace

TEST_CASE("pool places sessions round robin over 3 nodes", "[cti][pool][sim]") {
  SimProcess a, b, c;
  net::io_context ioc;
  cti::NodePool pool(ioc, addresses({&a, &b, &c}), credentials(), fast());
  pool.start();
  REQUIRE(run_until(ioc, [&] { return pool.up_count() == 3; }));
  std::vector<std::string> placed;
  for (int i = 0; i < 6; ++i) {
    auto node = pool.place();
    REQUIRE(node);
    placed.push_back(pool.address(*node).port);
  }
  const std::string pa = std::to_string(a.port()), pb = std::to_string(b.port()),
                    pc = std::to_string(c.port());
  CHECK(placed == std::vector<std::string>{pa, pb, pc, pa, pb, pc});
  pool.stop();
  run_until(ioc, [&] { return a.control("status").rfind("ok sessions=0", 0) == 0; });
  CHECK(a.control("status").rfind("ok sessions=0", 0) == 0);
}

TEST_CASE("pool marks a silent node down within the heartbeat window", "[cti][pool][sim]") {
  SimProcess a, b;
  net::io_context ioc;
  // An unanswered heartbeat takes the link down only after the request timeout: make that long,
  // so that only the heartbeat window (600 ms) can notice the silence in time.
  auto options = credentials();
  options.request_timeout = 10s;
  const auto timings = fast();
  REQUIRE(timings.heartbeat_window + timings.heartbeat_interval < options.request_timeout / 4);
  std::vector<std::string> changes;  // outlives the pool, which reports into it
  cti::NodePool pool(ioc, addresses({&a, &b}), options, timings);
  pool.on_change = [&](std::size_t node, cti::NodeState s) {
    changes.push_back(std::to_string(node) + " " + cti::to_string(s));
  };
  pool.start();
  REQUIRE(run_until(ioc, [&] { return pool.up_count() == 2; }));
  REQUIRE(a.control("silent on") == "ok");
  changes.clear();
  const auto t0 = std::chrono::steady_clock::now();
  REQUIRE(run_until(
      ioc, [&] { return pool.state(0) != cti::NodeState::up; }, options.request_timeout));
  // Noticed well before the request timeout could have fired: half of it is still more than
  // twice the window plus the interval for the last answered beat, as slack for a loaded machine.
  CHECK(std::chrono::steady_clock::now() - t0 < options.request_timeout / 2);
  // The silent node went down, straight from up; the other one never changed.
  CHECK(changes == std::vector<std::string>{"0 down"});
  // New sessions go to the node that is still up.
  for (int i = 0; i < 3; ++i) {
    auto node = pool.place();
    REQUIRE(node);
    CHECK(pool.address(*node).port == std::to_string(b.port()));
  }
  // Speaking again: the pool re-connects after its backoff.
  REQUIRE(a.control("silent off") == "ok");
  CHECK(run_until(ioc, [&] { return pool.up_count() == 2; }));
}

TEST_CASE("pool re-connects to a node after it restarts", "[cti][pool][sim]") {
  auto a = std::make_unique<SimProcess>();
  const std::string address = a->address();
  net::io_context ioc;
  cti::NodePool pool(ioc, {*cti::parse_node_address(address)}, credentials(), fast());
  pool.start();
  REQUIRE(run_until(ioc, [&] { return pool.up_count() == 1; }));
  a->stop();
  REQUIRE(run_until(ioc, [&] { return pool.up_count() == 0; }));
  // The node comes back on the same port.
  a = std::make_unique<SimProcess>(std::vector<std::string>{}, address);
  CHECK(run_until(ioc, [&] { return pool.up_count() == 1; }));
  CHECK(pool.place());
}

TEST_CASE("pool with every node down refuses a new session at once", "[cti][pool][sim]") {
  auto a = std::make_unique<SimProcess>();
  auto b = std::make_unique<SimProcess>();
  net::io_context ioc;
  int changes = 0;  // outlives the pool, which reports into it
  cti::NodePool pool(ioc, addresses({a.get(), b.get()}), credentials(), fast());
  pool.start();
  REQUIRE(run_until(ioc, [&] { return pool.up_count() == 2; }));
  a->stop();
  b->stop();
  REQUIRE(run_until(ioc, [&] { return pool.up_count() == 0; }));
  pool.on_change = [&](std::size_t, cti::NodeState) { ++changes; };
  const auto t0 = std::chrono::steady_clock::now();
  auto r = pool.place();
  // At once: no connect attempt (it would report the node connecting) and no waiting for a
  // request timeout in between.
  CHECK(changes == 0);
  CHECK(std::chrono::steady_clock::now() - t0 < credentials().request_timeout);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == cti::Errc::no_node_up);
}

TEST_CASE("pool sends waiting signed-in requests before later-lane sign-ins", "[cti][pool][sim]") {
  SimProcess a;
  net::io_context ioc;
  cti::NodePool pool(ioc, addresses({&a}), credentials(), fast());
  cti::NodePool::Pacing pacing;
  pacing.max_in_flight = 1;  // one at a time: the order they leave is the order they wait
  pool.set_pacing(pacing);
  pool.start();
  REQUIRE(run_until(ioc, [&] { return pool.up_count() == 1; }));
  std::vector<std::string> order;
  auto record = [&](std::string name) {
    return [&order, name](Result<csta::Message> r) {
      if (r) order.push_back(name);
    };
  };
  csta::RequestSystemStatus rss;
  pool.request(0, rss, record("first"));  // in flight at once
  pool.request(0, rss, record("sign-in 1"), cti::NodePool::Lane::later);
  pool.request(0, rss, record("sign-in 2"), cti::NodePool::Lane::later);
  pool.request(0, rss, record("call control"));
  CHECK(pool.queued(0) == 3);
  REQUIRE(run_until(ioc, [&] { return order.size() == 4; }));
  CHECK(order == std::vector<std::string>{"first", "call control", "sign-in 1", "sign-in 2"});
  pool.stop();
}

TEST_CASE("pool on NUL-terminated links keeps one request in flight, so its lanes still decide",
          "[cti][pool][sim][nul]") {
  SimProcess a({"--framing", "nul-terminated"});
  net::io_context ioc;
  auto base = credentials();
  base.frame_limits.framing = cti::Framing::nul_terminated;
  cti::NodePool pool(ioc, addresses({&a}), base, fast());
  cti::NodePool::Pacing pacing;
  pacing.max_in_flight = 32;  // what the configuration says; the link can only take one
  pool.set_pacing(pacing);
  CHECK(pool.max_in_flight() == 1);
  pool.start();
  REQUIRE(run_until(ioc, [&] { return pool.up_count() == 1; }));
  std::vector<std::string> order;
  auto record = [&](std::string name) {
    return [&order, name](Result<csta::Message> r) {
      if (r && std::holds_alternative<csta::RequestSystemStatusResponse>(r->body))
        order.push_back(name);
    };
  };
  csta::RequestSystemStatus rss;
  pool.request(0, rss, record("first"));
  pool.request(0, rss, record("sign-in 1"), cti::NodePool::Lane::later);
  pool.request(0, rss, record("sign-in 2"), cti::NodePool::Lane::later);
  pool.request(0, rss, record("call control"));
  // With 32 in flight all four would already sit in the link, in arrival order.
  CHECK(pool.queued(0) == 3);
  REQUIRE(run_until(ioc, [&] { return order.size() == 4; }));
  CHECK(order == std::vector<std::string>{"first", "call control", "sign-in 1", "sign-in 2"});
  pool.stop();
}

TEST_CASE("pool reconfigure removes and adds nodes, keeping the others' indices",
          "[cti][pool][sim]") {
  SimProcess a, b, c;
  net::io_context ioc;
  cti::NodePool pool(ioc, addresses({&a, &b}), credentials(), fast());
  std::vector<std::pair<std::size_t, cti::NodeState>> changes;
  pool.on_change = [&](std::size_t node, cti::NodeState s) { changes.emplace_back(node, s); };
  pool.start();
  REQUIRE(run_until(ioc, [&] { return pool.up_count() == 2; }));
  changes.clear();
  pool.reconfigure(addresses({&b, &c}), credentials());
  CHECK(pool.size() == 3);
  CHECK(pool.state(0) == cti::NodeState::removed);
  CHECK(pool.state(1) == cti::NodeState::up);  // b kept its index and its link
  REQUIRE(!changes.empty());
  CHECK(changes.front() == std::make_pair(std::size_t(0), cti::NodeState::removed));
  REQUIRE(run_until(ioc, [&] { return pool.state(2) == cti::NodeState::up; }));
  CHECK(pool.address(2).port == std::to_string(c.port()));
  CHECK(pool.round_trip(2).has_value());
  CHECK_FALSE(pool.round_trip(0).has_value());
  for (int i = 0; i < 4; ++i) {  // sessions go to b and c only
    auto node = pool.place();
    REQUIRE(node);
    CHECK(*node != 0);
  }
  // a's application session was stopped.
  REQUIRE(run_until(ioc, [&] { return a.control("status").rfind("ok sessions=0", 0) == 0; }));
  pool.stop();
}
