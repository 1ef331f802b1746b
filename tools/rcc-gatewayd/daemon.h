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
};

/// Runs the daemon until SIGTERM/SIGINT; returns the exit code.
int run(const Options& options);

}  // namespace rcc::gatewayd
