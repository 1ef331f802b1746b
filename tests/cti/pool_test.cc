#include "cti/pool.h"

#include <catch2/catch.hpp>

using namespace rcc::cti;
using namespace std::chrono_literals;

namespace {

PoolState three_up(Clock::time_point t0) {
  PoolState pool({"n1:2748", "n2:2748", "n3:2748"}, PoolTimings{});
  for (auto i : pool.due_for_connect(t0))
    pool.on_session_started(i, t0);
  return pool;
}

}  // namespace

TEST_CASE("pool connects every node at start", "[cti][pool]") {
  PoolState pool({"a", "b"}, PoolTimings{});
  const auto t0 = Clock::now();
  CHECK(pool.due_for_connect(t0) == std::vector<std::size_t>{0, 1});
  CHECK(pool.state(0) == NodeState::connecting);
  CHECK(pool.due_for_connect(t0).empty());  // already connecting
}

TEST_CASE("pool places sessions round robin over the nodes that are up", "[cti][pool]") {
  const auto t0 = Clock::now();
  PoolState pool = three_up(t0);
  std::vector<std::size_t> placed;
  for (int k = 0; k < 6; ++k)
    placed.push_back(*pool.place_session());
  CHECK(placed == std::vector<std::size_t>{0, 1, 2, 0, 1, 2});
  pool.on_failure(1, t0);
  placed.clear();
  for (int k = 0; k < 4; ++k)
    placed.push_back(*pool.place_session());
  CHECK(placed == std::vector<std::size_t>{0, 2, 0, 2});
}

TEST_CASE("pool with no node up refuses at once", "[cti][pool]") {
  const auto t0 = Clock::now();
  PoolState pool = three_up(t0);
  for (std::size_t i = 0; i < 3; ++i)
    pool.on_failure(i, t0);
  CHECK(pool.up_count() == 0);
  CHECK_FALSE(pool.place_session());
}

TEST_CASE("pool declares a silent node down after the heartbeat window", "[cti][pool]") {
  const auto t0 = Clock::now();
  PoolState pool = three_up(t0);
  const PoolTimings t;
  pool.on_heartbeat_answered(0, t0 + 30s);
  pool.on_heartbeat_answered(2, t0 + 30s);
  CHECK(pool.expire_silent(t0 + t.heartbeat_window).empty());  // exactly at the window: still up
  CHECK(pool.expire_silent(t0 + t.heartbeat_window + 1ms) == std::vector<std::size_t>{1});
  CHECK(pool.state(1) == NodeState::down);
  CHECK(pool.next_deadline() == t0 + t.heartbeat_window + 1ms + t.backoff_initial);
}

TEST_CASE("pool retries a failed node with capped exponential backoff", "[cti][pool]") {
  PoolTimings timings;
  timings.backoff_initial = 1s;
  timings.backoff_max = 5s;
  PoolState pool({"a"}, timings);
  auto now = Clock::now();
  std::vector<long> delays;
  for (int k = 0; k < 5; ++k) {
    REQUIRE(pool.due_for_connect(now) == std::vector<std::size_t>{0});
    pool.on_failure(0, now);
    delays.push_back(
        long(std::chrono::duration_cast<std::chrono::seconds>(pool.retry_at(0) - now).count()));
    CHECK(pool.due_for_connect(pool.retry_at(0) - 1ms).empty());
    now = pool.retry_at(0);
  }
  CHECK(delays == std::vector<long>{1, 2, 4, 5, 5});
  // A session that starts resets the backoff.
  REQUIRE(pool.due_for_connect(now).size() == 1);
  pool.on_session_started(0, now);
  pool.on_failure(0, now);
  CHECK(pool.retry_at(0) - now == 1s);
}

TEST_CASE("pool refuses more than eight nodes", "[cti][pool]") {
  CHECK_THROWS(PoolState(std::vector<std::string>(9, "n"), PoolTimings{}));
  CHECK_THROWS(PoolState({}, PoolTimings{}));
}
