#pragma once
// Named loggers for common/ ("sip", "csta", "cti", "rules", ...). common/ never creates sinks:
// a logger made here shares the sinks and level of spdlog's default logger, which each tool sets
// up in main() (tools/tool_cli.h).

#include <memory>

#include <spdlog/logger.h>

namespace rcc::util {

std::shared_ptr<spdlog::logger> logger(const char* name);

}  // namespace rcc::util
