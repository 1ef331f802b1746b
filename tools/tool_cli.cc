#include "tool_cli.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "diag/error.h"
#include "diag/exit_code.h"

#ifndef RCC_VERSION
#error "RCC_VERSION must be defined by the build"
#endif

namespace rcc::tool {

void add_common_options(CLI::App& app, CommonOptions& options, bool config_short) {
  app.set_version_flag("--version", app.get_name() + " " RCC_VERSION);
  app.add_flag("-v,--verbose", options.verbosity, "more log output on stderr (repeatable)");
  app.add_flag("-q,--quiet", options.quiet, "log errors only");
  app.add_option(config_short ? "-c,--config" : "--config", options.config_path,
                 "configuration file (default: $RCC_CONFIG, else /etc/rcc/rcc.toml if present)")
      ->type_name("FILE");
}

void setup_logging(const CommonOptions& options) {
  auto logger = spdlog::stderr_color_st("rcc");
  logger->set_pattern("%n: %^%l%$: %v");
  spdlog::level::level_enum level = spdlog::level::warn;
  if (options.quiet) {
    level = spdlog::level::err;
  } else if (options.verbosity == 1) {
    level = spdlog::level::info;
  } else if (options.verbosity == 2) {
    level = spdlog::level::debug;
  } else if (options.verbosity >= 3) {
    level = spdlog::level::trace;
  }
  logger->set_level(level);
  spdlog::set_default_logger(logger);
}

int run_main(CLI::App& app, int argc, char** argv, const std::function<int()>& run) {
  // Not CLI11_PARSE: usage errors must exit 2, and --help/--version 0, whatever CLI11's defaults.
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return exit_code::kUsage;
  }
  const std::string name = app.get_name();
  try {
    return run();
  } catch (const Exception& e) {
    std::fflush(stdout);
    const auto& error = e.error();
    if (error.where() && !error.where()->file.empty()) {
      std::cerr << error.render();
    } else {
      std::cerr << name << ": " << error.render();
    }
    return exit_code::kUsage;
  } catch (const std::exception& e) {
    std::fflush(stdout);
    std::cerr << name << ": " << e.what() << '\n';
    return exit_code::kFailure;
  }
}

bool stderr_is_tty() {
  return ::isatty(STDERR_FILENO) == 1;
}

}  // namespace rcc::tool
