#include "rcc/session.h"

namespace rcc::gateway {

std::string_view to_string(SessionState s) {
  switch (s) {
    case SessionState::active:
      return "active";
    case SessionState::failing_over:
      return "failing-over";
    case SessionState::needs_reinvite:
      return "needs-reinvite";
    case SessionState::ending:
      return "ending";
  }
  return "?";
}

Session& SessionTable::add(Session s) {
  const SessionId id = s.id;
  by_dialog_[s.dialog] = id;
  if (!s.client_key.empty()) by_client_key_[s.client_key] = id;
  by_node_[s.node].insert(id);
  auto& added = sessions_[id] = std::move(s);
  if (added.monitoring) by_monitor_[{added.node, added.node_xref}].insert(id);
  return added;
}

void SessionTable::erase(SessionId id) {
  const auto it = sessions_.find(id);
  if (it == sessions_.end()) return;
  Session& s = it->second;
  clear_monitor(s);
  by_dialog_.erase(s.dialog);
  if (const auto k = by_client_key_.find(s.client_key);
      k != by_client_key_.end() && k->second == id)
    by_client_key_.erase(k);
  if (const auto n = by_node_.find(s.node); n != by_node_.end()) {
    n->second.erase(id);
    if (n->second.empty()) by_node_.erase(n);
  }
  sessions_.erase(it);
}

Session* SessionTable::find(SessionId id) {
  const auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

const Session* SessionTable::find(SessionId id) const {
  const auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

Session* SessionTable::by_dialog(sip::DialogKey key) {
  const auto it = by_dialog_.find(key);
  return it == by_dialog_.end() ? nullptr : find(it->second);
}

Session* SessionTable::by_client_key(const std::string& key) {
  const auto it = by_client_key_.find(key);
  return it == by_client_key_.end() ? nullptr : find(it->second);
}

std::vector<SessionId> SessionTable::by_monitor(std::size_t node, const std::string& xref) const {
  const auto it = by_monitor_.find({node, xref});
  if (it == by_monitor_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<SessionId> SessionTable::on_node(std::size_t node) const {
  const auto it = by_node_.find(node);
  if (it == by_node_.end()) return {};
  return {it->second.begin(), it->second.end()};
}

std::vector<SessionId> SessionTable::all() const {
  std::vector<SessionId> out;
  out.reserve(sessions_.size());
  for (const auto& [id, s] : sessions_)
    out.push_back(id);
  return out;
}

void SessionTable::set_monitor(Session& s, std::size_t node, std::string node_xref) {
  clear_monitor(s);
  move_to_node(s, node);
  s.node_xref = std::move(node_xref);
  s.monitoring = true;
  by_monitor_[{s.node, s.node_xref}].insert(s.id);
}

void SessionTable::clear_monitor(Session& s) {
  if (!s.monitoring) return;
  const auto it = by_monitor_.find({s.node, s.node_xref});
  if (it != by_monitor_.end()) {
    it->second.erase(s.id);
    if (it->second.empty()) by_monitor_.erase(it);
  }
  s.monitoring = false;
}

void SessionTable::move_to_node(Session& s, std::size_t node) {
  if (s.node == node) return;
  const bool monitoring = s.monitoring;
  if (monitoring) clear_monitor(s);
  if (const auto n = by_node_.find(s.node); n != by_node_.end()) {
    n->second.erase(s.id);
    if (n->second.empty()) by_node_.erase(n);
  }
  s.node = node;
  by_node_[node].insert(s.id);
  if (monitoring) {
    s.monitoring = true;
    by_monitor_[{s.node, s.node_xref}].insert(s.id);
  }
}

}  // namespace rcc::gateway
