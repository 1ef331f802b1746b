#include "util/log.h"

#include <spdlog/spdlog.h>

namespace rcc::util {

std::shared_ptr<spdlog::logger> logger(const char* name) {
  if (auto existing = spdlog::get(name)) return existing;
  const auto& base = spdlog::default_logger();
  auto made = std::make_shared<spdlog::logger>(name, base->sinks().begin(), base->sinks().end());
  made->set_level(base->level());
  spdlog::register_logger(made);
  return made;
}

}  // namespace rcc::util
