#include "cti/node_pool.h"

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
      timer_(ioc) {
  base_.heartbeat_interval = timings.heartbeat_interval;
}

NodePool::~NodePool() {
  *alive_ = false;
  for (auto& l : links_)
    if (l) l->close();
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

Result<std::shared_ptr<Link>> NodePool::place() {
  if (auto node = state_.place_session()) return links_[*node];
  return Error(Errc::no_node_up,
               "none of the " + std::to_string(nodes_.size()) + " CTI nodes is up");
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
  link->close();
  state_.on_failure(node, Clock::now());
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
