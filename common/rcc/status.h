#pragma once
// What rcc-gatewayd shows of itself: the Prometheus text of /metrics, the JSON of /sessions
// (also what `rcc-gatewayd --status` prints) and the answer of /healthz. Pure functions over a
// snapshot the daemon fills in on the event loop; every metric is listed in man rcc-gatewayd(8),
// METRICS.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rcc/gateway.h"

namespace rcc::gateway {

struct NodeStatus {
  std::string name;                  ///< host:port
  std::string state;                 ///< cti::NodeState as text
  std::optional<double> round_trip;  ///< seconds, the last heartbeat's; nullopt when not up
  std::size_t queued = 0;            ///< requests waiting in the node's queue
};

struct StatusSnapshot {
  const Gateway* gateway = nullptr;
  const sip::DialogLayer* dialogs = nullptr;
  std::vector<NodeStatus> nodes;  ///< every node by index (removed ones: state "removed")
  std::size_t connections_tcp = 0;
  std::size_t connections_tls = 0;
  std::string version;
  std::int64_t started = 0;  ///< unix seconds
  bool embedded = false;     ///< the in-process simulator is the CTI side
  std::uint64_t reloads = 0;
  std::uint64_t reloads_refused = 0;
  std::int64_t last_reload = 0;  ///< unix seconds; 0: none
  /// More exposition text (another part's metrics, e.g. the user source), appended as is.
  std::string extra_metrics;
};

/// Serving: at least one CTI node is up (a new sign-in can be placed).
bool serving(const StatusSnapshot& s);
std::string render_metrics(const StatusSnapshot& s);
/// {"version","started","serving","sessions":[{id,user,line,device,node,state,since,
/// last_refresh,call_id}],"nodes":[{name,state,round_trip,queued}],"counters":{...}}
std::string render_sessions_json(const StatusSnapshot& s);

/// A Prometheus label value with \, " and newline escaped.
std::string prometheus_label(std::string_view value);

}  // namespace rcc::gateway
