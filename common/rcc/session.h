#pragma once
// One RCC session per uaCSTA dialog, and the table that finds sessions the way traffic needs:
// by dialog (INFO, BYE), by (node, the node's monitorCrossRefID) (events), by line (a second
// INVITE replacing the first), by node (failover). Lookups are O(log n); a SessionId is never
// reused, so a late callback holding one finds nothing once the session ended.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "csta/line_uri.h"
#include "csta/types.h"
#include "sip/dialog.h"

namespace rcc::gateway {

using SessionId = std::uint64_t;

enum class SessionState {
  active,          ///< signed in; the monitor is up once the client sent MonitorStart
  failing_over,    ///< its node was lost: being moved to another (transparent failover)
  needs_reinvite,  ///< its node was lost: the next request gets 481 (failover = reinvite)
  ending,          ///< BYE sent or received; only cleanup remains
};
std::string_view to_string(SessionState s);

struct Session {
  SessionId id = 0;
  SessionState state = SessionState::active;
  sip::DialogKey dialog = 0;
  std::string sip_call_id;  ///< for log lines
  std::string user;
  std::string line_uri;  ///< the line as the client wrote it (lcs:line), echoed in events
  csta::LineUri line;
  std::string dn;                    ///< the line's directory number: the device ID on the CTI side
  std::vector<std::string> devices;  ///< the choice: one device, or two that both ring
  std::string device_reason;
  /// On a shared line (more than one device carries the DN): the device, by name, that
  /// MakeCall and AnswerCall name on the node, so that the call manager acts there and not on
  /// any device of the line. Empty on a line of one device (the DN is the device). With two
  /// devices that both ring: the first until the user answers on one, then the one answered last.
  std::string acting_device;
  bool bound = false;      ///< two devices that both ring: an answer chose acting_device
  std::string client_key;  ///< user + line + endpoint: a new INVITE with the same key replaces
  std::size_t node = 0;
  csta::Namespace ns = csta::Namespace::ed3;
  std::int64_t since = 0;         ///< unix seconds
  std::int64_t last_refresh = 0;  ///< unix seconds
  // The monitor: what the client sees and what the node issued.
  bool monitoring = false;
  std::string client_xref;
  std::string node_xref;
  std::string monitor_object;  ///< MonitorStart's deviceObject as the client wrote it
  // callIDs: the node's <-> the client's (the gateway issues its own).
  std::map<std::string, std::string> call_to_client;
  std::map<std::string, std::string> call_to_node;
};

class SessionTable {
 public:
  Session& add(Session s);
  void erase(SessionId id);
  Session* find(SessionId id);
  const Session* find(SessionId id) const;
  Session* by_dialog(sip::DialogKey key);
  Session* by_client_key(const std::string& key);
  /// Sessions whose monitor on `node` has the node's crossRefID `xref`.
  std::vector<SessionId> by_monitor(std::size_t node, const std::string& xref) const;
  std::vector<SessionId> on_node(std::size_t node) const;
  std::vector<SessionId> all() const;
  /// Keeps the monitor index in step: call after changing node / node_xref / monitoring.
  void set_monitor(Session& s, std::size_t node, std::string node_xref);
  void clear_monitor(Session& s);
  void move_to_node(Session& s, std::size_t node);
  std::size_t size() const { return sessions_.size(); }
  SessionId next_id() { return next_id_++; }

 private:
  std::map<SessionId, Session> sessions_;
  std::map<sip::DialogKey, SessionId> by_dialog_;
  std::map<std::string, SessionId> by_client_key_;
  std::map<std::pair<std::size_t, std::string>, std::set<SessionId>> by_monitor_;
  std::map<std::size_t, std::set<SessionId>> by_node_;
  SessionId next_id_ = 1;
};

}  // namespace rcc::gateway
