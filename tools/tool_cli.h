#pragma once
// What every rcc tool's main() shares: the standard options (--version, -v, -q, --config),
// logging set-up, and the one place where exceptions become a message and an exit code.
//
// This is tool code (it configures logging sinks and prints), so it lives beside the tools and
// not in common/, which never does either.

#include <functional>
#include <string>

#include <CLI/CLI.hpp>

namespace rcc::tool {

struct CommonOptions {
  int verbosity = 0;        ///< -v given N times
  bool quiet = false;       ///< -q: errors only
  std::string config_path;  ///< --config; empty: config::locate() decides
};

/// Adds --version, -v/--verbose (repeatable), -q/--quiet and -c/--config FILE. A monitoring
/// plugin passes config_short = false: its -c is the critical threshold (the house style).
void add_common_options(CLI::App& app, CommonOptions& options, bool config_short = true);

/// Logs go to stderr: warnings by default, -v info, -vv debug, -vvv trace, -q errors only.
void setup_logging(const CommonOptions& options);

/// Parses the command line and calls `run`. Returns the process exit code:
/// 0 for --help/--version, 2 for a usage error, 2 for an rcc::Exception (bad config or input
/// file, printed with its location and caret), 1 for any other exception, else what run returned.
int run_main(CLI::App& app, int argc, char** argv, const std::function<int()>& run);

/// True when stderr is a terminal (progress output is shown only then).
bool stderr_is_tty();

}  // namespace rcc::tool
