#pragma once
// rcc-gatewayd's wiring: config, directory, the CTI pool (or the embedded simulator), the SIP
// stack and the gateway logic, signals. Nothing protocol-shaped lives here (common/rcc does it).

#include <string>

#include "tool_cli.h"

namespace rcc::gatewayd {

struct Options {
  tool::CommonOptions common;
  bool check_config = false;
  std::string directory;  ///< --directory: overrides [directory] file
  bool status = false;    ///< --status: ask the running daemon (its HTTP endpoint) and print
  bool json = false;      ///< --json: --status as the endpoint's JSON
};

/// Runs the daemon until SIGTERM/SIGINT; returns the exit code.
int run(const Options& options);
/// --status: the running daemon's sessions and nodes (status.cc); returns the exit code.
int print_status(const Options& options);

}  // namespace rcc::gatewayd
