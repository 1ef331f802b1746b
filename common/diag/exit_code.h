#pragma once
// Exit codes shared by every tool except rcc-ctiprobe, which follows the monitoring-plugins
// contract (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN) instead.

namespace rcc::exit_code {

constexpr int kOk = 0;       ///< the tool did what was asked and everything passed
constexpr int kFailure = 1;  ///< it ran, and something it checked failed (a number, a lint, a test)
constexpr int kUsage = 2;    ///< bad command line, unreadable or broken input file or config

}  // namespace rcc::exit_code
