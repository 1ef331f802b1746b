#include "cti/pool.h"

#include <algorithm>
#include <stdexcept>

namespace rcc::cti {

const char* to_string(NodeState s) {
  switch (s) {
    case NodeState::down:
      return "down";
    case NodeState::connecting:
      return "connecting";
    case NodeState::up:
      return "up";
    case NodeState::removed:
      return "removed";
  }
  return "?";
}

PoolState::PoolState(std::vector<std::string> nodes, PoolTimings timings) : timings_(timings) {
  // A programming error, not input: the config loader refuses more than kMaxNodes with a location.
  if (nodes.empty() || nodes.size() > kMaxNodes) throw std::invalid_argument("1 to 8 CTI nodes");
  for (auto& n : nodes)
    nodes_.push_back(Node{std::move(n)});
}

std::size_t PoolState::up_count() const {
  return std::size_t(std::count_if(nodes_.begin(), nodes_.end(),
                                   [](const Node& n) { return n.state == NodeState::up; }));
}

std::size_t PoolState::configured_count() const {
  return std::size_t(std::count_if(nodes_.begin(), nodes_.end(),
                                   [](const Node& n) { return n.state != NodeState::removed; }));
}

std::size_t PoolState::add(std::string name) {
  if (configured_count() >= kMaxNodes) throw std::invalid_argument("1 to 8 CTI nodes");
  nodes_.push_back(Node{std::move(name)});
  return nodes_.size() - 1;
}

void PoolState::remove(std::size_t node) {
  nodes_[node].state = NodeState::removed;
}

std::optional<std::size_t> PoolState::place_session() {
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    const std::size_t i = (next_ + k) % nodes_.size();
    if (nodes_[i].state == NodeState::up) {
      next_ = (i + 1) % nodes_.size();
      return i;
    }
  }
  return std::nullopt;
}

std::vector<std::size_t> PoolState::due_for_connect(Clock::time_point now) {
  std::vector<std::size_t> due;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].state == NodeState::down && nodes_[i].retry_at <= now) {
      nodes_[i].state = NodeState::connecting;
      due.push_back(i);
    }
  }
  return due;
}

std::optional<Clock::time_point> PoolState::next_deadline() const {
  std::optional<Clock::time_point> soonest;
  auto consider = [&](Clock::time_point t) {
    if (!soonest || t < *soonest) soonest = t;
  };
  for (const auto& n : nodes_) {
    if (n.state == NodeState::down) consider(n.retry_at);
    if (n.state == NodeState::up) consider(n.last_answer + timings_.heartbeat_window);
  }
  return soonest;
}

void PoolState::on_session_started(std::size_t node, Clock::time_point now) {
  Node& n = nodes_[node];
  n.state = NodeState::up;
  n.last_answer = now;
  n.failures = 0;
}

void PoolState::on_heartbeat_answered(std::size_t node, Clock::time_point now) {
  if (nodes_[node].state == NodeState::up) nodes_[node].last_answer = now;
}

void PoolState::on_failure(std::size_t node, Clock::time_point now) {
  Node& n = nodes_[node];
  n.state = NodeState::down;
  auto delay = timings_.backoff_initial;
  for (int k = 0; k < n.failures && delay < timings_.backoff_max; ++k)
    delay *= 2;
  n.retry_at = now + std::min(delay, timings_.backoff_max);
  ++n.failures;
}

std::vector<std::size_t> PoolState::expire_silent(Clock::time_point now) {
  std::vector<std::size_t> expired;
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].state == NodeState::up &&
        now - nodes_[i].last_answer > timings_.heartbeat_window) {
      on_failure(i, now);
      expired.push_back(i);
    }
  }
  return expired;
}

}  // namespace rcc::cti
