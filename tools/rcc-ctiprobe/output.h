#pragma once
// rcc-ctiprobe's output contract (the house style, monitoring-plugins guidelines): one status line
// with perfdata, or JSON; a Prometheus textfile-collector file written atomically.

#include <optional>
#include <string>
#include <vector>

#include "cti/probe.h"
#include "rules/range.h"

namespace rcc::ctiprobe {

using cti::NodeResult;

/// monitoring-plugins states; the exit code is the state.
enum class State { ok = 0, warning = 1, critical = 2, unknown = 3 };
const char* to_string(State s);

struct Thresholds {
  std::optional<rules::Range> warning;  ///< on each node's heartbeat round trip, ms
  std::optional<rules::Range> critical;
};

struct Verdict {
  State state = State::ok;
  std::vector<State> per_node;
};

/// A node that fails any step is CRITICAL; otherwise its rtt against -c, then -w.
Verdict judge(const std::vector<NodeResult>& results, const Thresholds& t);

/// "CTI CRITICAL - 7/8 nodes up; 127.0.0.1:4: connection refused | 'node1_rtt'=0.4ms;50;200;0 ..."
std::string status_line(const std::vector<NodeResult>& results, const Verdict& v,
                        const Thresholds& t);
std::string json_report(const std::vector<NodeResult>& results, const Verdict& v);
/// Writes FILE.tmp then renames it over FILE (a collector never reads half a file).
Result<void> write_prometheus(const std::string& path, const std::vector<NodeResult>& results,
                              const Verdict& v);

}  // namespace rcc::ctiprobe
