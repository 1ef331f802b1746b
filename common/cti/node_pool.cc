#include "cti/node_pool.h"

#include <algorithm>

#include "util/log.h"

namespace rcc::cti {
namespace {

std::vector<std::string> names(const std::vector<NodeAddress>& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes)
    out.push_back(n.name());
  return out;
}

}  // namespace

NodePool::NodePool(net::io_context& ioc, std::vector<NodeAddress> nodes, LinkOptions base,
                   PoolTimings timings)
    : ioc_(ioc),
      nodes_(std::move(nodes)),
      base_(std::move(base)),
      state_(names(nodes_), timings),
      links_(nodes_.size()),
      queues_(nodes_.size()),
      timer_(ioc) {
  for (auto& q : queues_)
    q.timer = std::make_unique<net::steady_timer>(ioc);
  base_.heartbeat_interval = timings.heartbeat_interval;
}

NodePool::~NodePool() {
  *alive_ = false;
  for (auto& l : links_)
    if (l) l->close();
  for (auto& l : retired_)
    l->close();
}

void NodePool::start() {
  running_ = true;
  tick();
}

void NodePool::stop() {
  running_ = false;
  timer_.cancel();
  // The links stay in links_ until the destructor closes them: a stop still unanswered then
  // must not keep its link alive (its reply is held by the link itself).
  for (auto& l : links_)
    if (l) l->stop([](Result<void>) {});
}

Result<std::size_t> NodePool::place() {
  if (auto node = state_.place_session()) return *node;
  return Error(Errc::no_node_up,
               "none of the " + std::to_string(state_.configured_count()) + " CTI nodes is up");
}

void NodePool::request(std::size_t node, csta::Body body, Link::Reply reply, Lane lane) {
  if (node >= nodes_.size() || state_.state(node) != NodeState::up || !links_[node])
    return reply(Error(
        Errc::no_node_up,
        "node " + (node < nodes_.size() ? nodes_[node].name() : std::string("?")) + " is down"));
  Queue& q = queues_[node];
  if (queued(node) >= pacing_.max_queued)
    return reply(Error(Errc::overloaded, std::to_string(queued(node)) +
                                             " requests queued for node " + nodes_[node].name()));
  (lane == Lane::now ? q.waiting : q.later).emplace_back(std::move(body), std::move(reply));
  pump(node);
}

void NodePool::set_pacing(Pacing pacing) {
  pacing_ = pacing;
  if (base_.frame_limits.framing == Framing::nul_terminated && pacing.max_in_flight > 1)
    util::logger("cti")->info(
        "max-in-flight {} lowered to 1: NUL-terminated frames carry no invoke ID, so each link "
        "sends one request at a time and matches answers by order",
        pacing.max_in_flight);
}

std::size_t NodePool::max_in_flight() const {
  if (base_.frame_limits.framing == Framing::nul_terminated) return 1;
  return pacing_.max_in_flight;
}

void NodePool::reconfigure(const std::vector<NodeAddress>& nodes, LinkOptions base) {
  auto same = [](const NodeAddress& a, const NodeAddress& b) {
    return a.host == b.host && a.port == b.port;
  };
  base.heartbeat_interval = base_.heartbeat_interval;
  base_ = std::move(base);
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (state_.state(i) == NodeState::removed) continue;
    if (std::any_of(nodes.begin(), nodes.end(), [&](const auto& n) { return same(n, nodes_[i]); }))
      continue;
    if (auto link = std::move(links_[i])) {
      retired_.push_back(link);
      std::weak_ptr<Link> weak = link;
      link->stop([this, alive = alive_, weak](Result<void>) {
        // Released after the link's own callback has returned.
        net::post(ioc_, [this, alive, weak] {
          if (!*alive) return;
          const auto done = weak.lock();
          retired_.erase(std::remove(retired_.begin(), retired_.end(), done), retired_.end());
        });
      });
    }
    state_.remove(i);
    fail_queue(i, Error(Errc::no_node_up, "node " + nodes_[i].name() + " was removed"));
    util::logger("cti")->info("node={} removed by the reload", nodes_[i].name());
    notify(i);
  }
  for (const auto& n : nodes) {
    bool known = false;
    for (std::size_t i = 0; i < nodes_.size(); ++i)
      known = known || (state_.state(i) != NodeState::removed && same(n, nodes_[i]));
    if (known) continue;
    state_.add(n.name());
    nodes_.push_back(n);
    links_.emplace_back();
    queues_.emplace_back();
    queues_.back().timer = std::make_unique<net::steady_timer>(ioc_);
    util::logger("cti")->info("node={} added by the reload", n.name());
  }
  tick();
}

std::optional<std::chrono::microseconds> NodePool::round_trip(std::size_t node) const {
  if (state_.state(node) != NodeState::up || !links_[node]) return std::nullopt;
  const auto& t = links_[node]->timings();
  return t.heartbeat.count() ? t.heartbeat : t.session;
}

void NodePool::pump(std::size_t node) {
  Queue& q = queues_[node];
  auto alive = alive_;
  const std::size_t limit = max_in_flight();
  while ((!q.waiting.empty() || !q.later.empty()) && q.in_flight < limit) {
    auto link = links_[node];
    if (!link || state_.state(node) != NodeState::up) {
      fail_queue(node, Error(Errc::no_node_up, "node " + nodes_[node].name() + " is down"));
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (pacing_.per_second > 0 && now < q.next_send) {
      if (!q.timer_armed) {
        q.timer_armed = true;
        q.timer->expires_at(q.next_send);
        q.timer->async_wait([this, alive, node](boost::system::error_code ec) {
          if (ec || !*alive) return;
          queues_[node].timer_armed = false;
          pump(node);
        });
      }
      return;
    }
    if (pacing_.per_second > 0)
      q.next_send = std::max(q.next_send, now) +
                    std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                        std::chrono::duration<double>(1.0 / pacing_.per_second));
    auto& from = q.waiting.empty() ? q.later : q.waiting;
    auto [body, reply] = std::move(from.front());
    from.pop_front();
    ++q.in_flight;
    link->request(std::move(body),
                  [this, alive, node, reply = std::move(reply)](Result<csta::Message> r) {
                    if (*alive) --queues_[node].in_flight;
                    reply(std::move(r));
                    if (*alive) pump(node);
                  });
  }
}

void NodePool::fail_queue(std::size_t node, const Error& why) {
  for (auto* lane : {&queues_[node].waiting, &queues_[node].later}) {
    auto waiting = std::move(*lane);
    lane->clear();
    for (auto& [body, reply] : waiting)
      reply(why);
  }
}

void NodePool::notify(std::size_t node) {
  if (on_change) on_change(node, state_.state(node));
}

void NodePool::connect(std::size_t node) {
  // The handlers name their link weakly: a late report from a replaced link is ignored.
  auto alive = alive_;
  LinkOptions with_node = base_;
  with_node.node = nodes_[node];
  std::shared_ptr<Link> link;
  auto self = std::make_shared<std::weak_ptr<Link>>();
  LinkHandlers handlers;
  handlers.on_event = [this, alive, node](const csta::Message& m) {
    if (*alive && on_event) on_event(node, m);
  };
  handlers.on_heartbeat = [this, alive, node, self] {
    if (!*alive || links_[node] != self->lock()) return;
    state_.on_heartbeat_answered(node, Clock::now());
  };
  handlers.on_down = [this, alive, node, self](const Error& e) {
    if (*alive) node_failed(node, self->lock(), e);
  };
  link = Link::create(ioc_, std::move(with_node), std::move(handlers));
  *self = link;
  links_[node] = link;
  notify(node);
  link->start([this, alive, node, self](Result<void> r) {
    if (!*alive) return;
    auto l = self->lock();
    if (!l || links_[node] != l) return;
    if (!r) {
      node_failed(node, l, r.error());
      return;
    }
    state_.on_session_started(node, Clock::now());
    util::logger("cti")->info("node={} up", nodes_[node].name());
    notify(node);
    tick();
  });
}

void NodePool::node_failed(std::size_t node, const std::shared_ptr<Link>& link, const Error& why) {
  // A link reports at most once, but start() and on_down may both see one failure: count it once.
  if (!link || links_[node] != link) return;
  links_[node].reset();
  link->close();  // its pending requests fail with the link's error
  state_.on_failure(node, Clock::now());
  fail_queue(node, Error(Errc::no_node_up, "node " + nodes_[node].name() + " went down"));
  util::logger("cti")->warn(
      "node={} down: {}; retry in {} ms", nodes_[node].name(), why.message(),
      std::chrono::duration_cast<Millis>(state_.retry_at(node) - Clock::now()).count());
  notify(node);
  tick();
}

void NodePool::tick() {
  if (!running_) return;
  const auto now = Clock::now();
  for (auto node : state_.expire_silent(now)) {
    util::logger("cti")->warn("node={} silent: no heartbeat answered within the window",
                              nodes_[node].name());
    if (auto link = std::move(links_[node])) link->close();
    fail_queue(node, Error(Errc::no_node_up, "node " + nodes_[node].name() + " went silent"));
    notify(node);
  }
  for (auto node : state_.due_for_connect(now))
    connect(node);
  timer_.cancel();
  // Wake for the earliest deadline, and at least every second (heartbeat answers move them).
  auto next = now + std::chrono::seconds(1);
  if (auto d = state_.next_deadline(); d && *d < next) next = *d;
  timer_.expires_at(next);
  auto alive = alive_;
  timer_.async_wait([this, alive](boost::system::error_code ec) {
    if (!ec && *alive) tick();
  });
}

}  // namespace rcc::cti
