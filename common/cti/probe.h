#pragma once
// The node check of rcc-ctiprobe and rcc-troubleshoot: probe every node at once on one
// io_context (connect, TLS, session start, one heartbeat round trip, stop), timing each step.
// Runs its own io_context to completion: for tools, never inside the gateway's event loop.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cti/link.h"

namespace rcc::cti {

struct NodeResult {
  NodeAddress node;
  bool ok = false;
  std::string problem;  ///< one phrase when !ok ("connection refused", "wrong password", ...)
  std::optional<double> connect_ms, tls_ms, session_ms, rtt_ms;
  double total_ms = 0;
};

/// Probes `nodes` concurrently, each with `base` (its node replaced). Returns in `nodes` order.
std::vector<NodeResult> probe_all(const std::vector<NodeAddress>& nodes, const LinkOptions& base);

/// Whether each directory number has a registered device, asked over one link to `node` with
/// SnapshotDevice: a positive answer is registered, CSTAErrorCode resourceOutOfService (or
/// deviceOutOfService) is not, anything else is unknown (nullopt). When the link cannot be
/// started every answer is nullopt and `problem` says why.
struct RegistrationAnswers {
  std::vector<std::optional<bool>> registered;  ///< in `dns` order
  std::string problem;                          ///< empty when the link worked
};
RegistrationAnswers ask_registered(const LinkOptions& node, const std::vector<std::string>& dns);

/// The phrase for a link error: distinct for wrong password, no permission, refused, timed out,
/// garbage (what operators act on differently).
std::string describe(const Error& e);

}  // namespace rcc::cti
