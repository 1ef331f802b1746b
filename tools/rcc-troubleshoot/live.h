#pragma once
// rcc-troubleshoot --live: a real sign-in against the running gateway, as the OCS pool does it
// (uacsta::Client): OPTIONS, INVITE with RequestSystemStatus, GetCSTAFeatures, MonitorStart,
// SnapshotDevice, [MakeCall and its events], MonitorStop, BYE; each step a check with its time.

#include <optional>
#include <string>

#include "directory/directory.h"
#include "report.h"
#include "setup.h"

namespace rcc::troubleshoot {

struct LiveOptions {
  std::string user;  ///< as typed (the From when the user has no ocsPrimaryAddress)
  std::string dial;  ///< --dial NUMBER; empty: no call
  double timeout = 5;
};

void check_live(const Setup& setup, const std::optional<directory::User>& user,
                const LiveOptions& options, Report& report);

}  // namespace rcc::troubleshoot
