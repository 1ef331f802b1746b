#pragma once
// The CTI node pool on Asio: one Link per node, driven by PoolState (pool.h), which decides.
//
//   NodePool pool(ioc, {addr1, addr2, addr3}, link_options, timings);
//   pool.start();                        // connects to every node
//   auto node = pool.place();            // Result<size_t>: round robin over nodes up,
//                                        // Errc::no_node_up at once when none is
//   pool.stop();
//
// Each link sends heartbeats every heartbeat_interval; an answered heartbeat refreshes the node
// in PoolState. A node is marked down when its link drops, a heartbeat is refused or times out,
// or no heartbeat was answered within heartbeat_window (then its link is closed); it is
// re-connected after PoolState's capped backoff. Same threading rule as Link: one thread runs
// the io_context.
//
// Sessions hold a node index (place()), not a Link: the index stays valid across
// reconnects. request(node, ...) goes through the node's queue: at most Pacing::max_in_flight
// requests outstanding and at most Pacing::per_second sent a second (call managers limit both),
// at most Pacing::max_queued waiting; past that, or with the node down, the reply is an error at
// once. A sign-in storm therefore waits in the queue instead of timing out on the link.

#include <deque>
#include <functional>
#include <memory>
#include <vector>

#include "cti/link.h"
#include "cti/pool.h"

namespace rcc::cti {

class NodePool {
 public:
  /// `base` gives credentials, timeouts and TLS; its `node` is replaced per node.
  NodePool(net::io_context& ioc, std::vector<NodeAddress> nodes, LinkOptions base,
           PoolTimings timings);
  ~NodePool();
  NodePool(const NodePool&) = delete;
  NodePool& operator=(const NodePool&) = delete;

  void start();
  /// StopApplicationSession on every link up, and no more reconnects. The destructor closes
  /// whatever is still open.
  void stop();

  /// The node for a new session (round robin over the nodes up), or Errc::no_node_up. The index
  /// is the node's place in the configured list: it stays valid across reconnects.
  Result<std::size_t> place();
  /// Which queue a request waits in: `later` ones (a new sign-in's first MonitorStart) are sent
  /// only when no `now` request (signed-in users' call control) waits, so a sign-in storm does
  /// not delay the users already in.
  enum class Lane { now, later };
  /// Sends `body` to `node` through its queue; `reply` is called exactly once.
  void request(std::size_t node, csta::Body body, Link::Reply reply, Lane lane = Lane::now);

  struct Pacing {
    /// Requests outstanding on one link. Forced to 1 with NUL-terminated framing (the link
    /// matches answers by order and sends one at a time: link.h), so that the queue, not the
    /// link, decides what goes next (Lane::now before Lane::later).
    std::size_t max_in_flight = 32;
    std::size_t max_queued = 20'000;  ///< waiting behind them; past this: Errc::overloaded
    double per_second = 0;            ///< 0: no rate limit
  };
  /// Logs (info) when it lowers max_in_flight to 1 for NUL-terminated framing.
  void set_pacing(Pacing pacing);
  /// The limit each queue applies: Pacing::max_in_flight, or 1 with NUL-terminated framing.
  std::size_t max_in_flight() const;

  /// A reload: nodes no longer listed are removed (their link closed, queued requests failed,
  /// on_change reports NodeState::removed so their sessions fail over); new ones are added at
  /// the next indices and connected; nodes listed before and now keep their index and link.
  /// `base` applies to links opened from now on. The caller checks the count (kMaxNodes).
  void reconfigure(const std::vector<NodeAddress>& nodes, LinkOptions base);
  /// The last heartbeat round trip of the node's link (the session start's before the first
  /// heartbeat); nullopt while it is not up.
  std::optional<std::chrono::microseconds> round_trip(std::size_t node) const;
  std::size_t queued(std::size_t node) const {
    return queues_[node].waiting.size() + queues_[node].later.size();
  }

  std::size_t size() const { return nodes_.size(); }
  NodeState state(std::size_t node) const { return state_.state(node); }
  std::size_t up_count() const { return state_.up_count(); }
  const NodeAddress& address(std::size_t node) const { return nodes_[node]; }

  /// Called on every state change (node index and new state), e.g. for logs or tests.
  std::function<void(std::size_t, NodeState)> on_change;
  /// Unsolicited events from any node.
  std::function<void(std::size_t, const csta::Message&)> on_event;

 private:
  void connect(std::size_t node);
  void node_failed(std::size_t node, const std::shared_ptr<Link>& link, const Error& why);
  void tick();
  void notify(std::size_t node);
  void pump(std::size_t node);
  void fail_queue(std::size_t node, const Error& why);

  struct Queue {
    std::deque<std::pair<csta::Body, Link::Reply>> waiting;
    std::deque<std::pair<csta::Body, Link::Reply>> later;  ///< Lane::later, behind `waiting`
    std::size_t in_flight = 0;
    std::chrono::steady_clock::time_point next_send{};
    std::unique_ptr<net::steady_timer> timer;
    bool timer_armed = false;
  };

  net::io_context& ioc_;
  std::vector<NodeAddress> nodes_;
  LinkOptions base_;
  PoolState state_;
  std::vector<std::shared_ptr<Link>> links_;
  /// Links of nodes a reload removed, until their stop is answered (closed by the destructor if
  /// it never is: a stop's reply must not be what keeps its link alive).
  std::vector<std::shared_ptr<Link>> retired_;
  std::vector<Queue> queues_;
  Pacing pacing_;
  net::steady_timer timer_;
  bool running_ = false;
  /// Outlives the pool in handlers: they check it before touching `this`.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rcc::cti
