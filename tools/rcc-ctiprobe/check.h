#pragma once
// rcc-ctiprobe's work: probe every node at once on one io_context (connect, TLS, session start,
// one heartbeat round trip, stop), timing each step.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cti/link.h"

namespace rcc::ctiprobe {

struct NodeResult {
  cti::NodeAddress node;
  bool ok = false;
  std::string problem;  ///< one phrase when !ok ("connection refused", "wrong password", ...)
  std::optional<double> connect_ms, tls_ms, session_ms, rtt_ms;
  double total_ms = 0;
};

/// Probes `nodes` concurrently, each with `base` (its node replaced). Returns in `nodes` order.
std::vector<NodeResult> probe_all(const std::vector<cti::NodeAddress>& nodes,
                                  const cti::LinkOptions& base);

/// The phrase for a link error: distinct for wrong password, no permission, refused, timed out,
/// garbage (what operators act on differently).
std::string describe(const Error& e);

}  // namespace rcc::ctiprobe
