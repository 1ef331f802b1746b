#pragma once
// The CTI node pool's bookkeeping, without I/O: which nodes are up, where the next RCC session
// goes, when a dead node is retried, when a silent node is declared dead.
//
// Behaviour kept from the reference deployment (docs/architecture.md): up to 8 nodes in configured
// order; new sessions placed round robin over the nodes that are up; each node watched with
// heartbeats and re-established when it drops; with no node up, a request is refused at once. The
// Asio link layer owns sockets and timers and reports events here with the current time, so tests
// drive time by hand.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace rcc::cti {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kMaxNodes = 8;

struct PoolTimings {
  std::chrono::milliseconds heartbeat_interval{30'000};  ///< a heartbeat is sent this often
  /// A node whose last heartbeat answer is older than this is down (default: 2 intervals + 5 s).
  std::chrono::milliseconds heartbeat_window{65'000};
  std::chrono::milliseconds backoff_initial{500};  ///< first reconnect delay after a failure
  std::chrono::milliseconds backoff_max{30'000};   ///< reconnect delays double up to this
};

enum class NodeState {
  down,        ///< not connected; a reconnect is due at retry_at
  connecting,  ///< TCP (and TLS) connect, then session start, in progress
  up,          ///< application session active, heartbeats answered
  removed,     ///< taken out of the configuration by a reload: never connected or placed again
};

const char* to_string(NodeState s);

class PoolState {
 public:
  /// `nodes` are names for logs ("host:port"), in configured order; at most kMaxNodes.
  PoolState(std::vector<std::string> nodes, PoolTimings timings);

  std::size_t size() const { return nodes_.size(); }
  const std::string& name(std::size_t node) const { return nodes_[node].name; }
  NodeState state(std::size_t node) const { return nodes_[node].state; }
  std::size_t up_count() const;

  /// The node for a new RCC session: round robin over the nodes that are up, in configured
  /// order. nullopt when none is up: the caller answers the request with an error at once.
  std::optional<std::size_t> place_session();

  /// Nodes whose reconnect is due at `now`; each is marked connecting.
  std::vector<std::size_t> due_for_connect(Clock::time_point now);
  /// The earliest time something is due (a reconnect or a heartbeat check), for the timer.
  std::optional<Clock::time_point> next_deadline() const;

  void on_session_started(std::size_t node, Clock::time_point now);
  void on_heartbeat_answered(std::size_t node, Clock::time_point now);
  /// Connect refused, session refused, link dropped, reply garbled: down, retry after a backoff
  /// that doubles with each consecutive failure up to backoff_max.
  void on_failure(std::size_t node, Clock::time_point now);
  /// Nodes that are up but have not answered a heartbeat within the window: marked down (with
  /// on_failure's backoff) and returned, so the caller can drop their links and sessions.
  std::vector<std::size_t> expire_silent(Clock::time_point now);

  /// A node added by a reload: the next index, down with its connect due now. At most
  /// kMaxNodes nodes that are not removed.
  std::size_t add(std::string name);
  /// A node taken out by a reload: removed for good (its index is never reused).
  void remove(std::size_t node);
  std::size_t configured_count() const;

  /// When node's next reconnect is due (meaningful while down).
  Clock::time_point retry_at(std::size_t node) const { return nodes_[node].retry_at; }

 private:
  struct Node {
    std::string name;
    NodeState state = NodeState::down;
    Clock::time_point retry_at{};     ///< down: when to connect again
    Clock::time_point last_answer{};  ///< up: last heartbeat answer (or session start)
    int failures = 0;                 ///< consecutive failures, for the backoff
  };
  std::vector<Node> nodes_;
  PoolTimings timings_;
  std::size_t next_ = 0;  ///< where the round robin looks first
};

}  // namespace rcc::cti
