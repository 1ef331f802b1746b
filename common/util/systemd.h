#pragma once
// The service manager's side of a daemon, through libsystemd: readiness and status
// notifications (sd_notify: READY=1, STATUS=..., RELOADING=1, STOPPING=1, WATCHDOG=1) and logs
// to the journal with structured fields. Without systemd (no NOTIFY_SOCKET, no JOURNAL_STREAM)
// every call here does nothing and logs stay on stderr.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <spdlog/sinks/sink.h>

namespace rcc::util::systemd {

/// Sends `state` ("READY=1\nSTATUS=...") to the service manager; false when there is none.
bool notify(std::string_view state);

/// The watchdog interval the service manager expects pings within (WatchdogSec=), or nullopt.
std::optional<std::chrono::microseconds> watchdog_interval();

/// True when stderr is the journal's stream (JOURNAL_STREAM names stderr's device and inode):
/// then logs should go to the journal directly, with fields.
bool stderr_is_journal();

/// A sink that writes each log line to the journal: MESSAGE ("logger: text"), PRIORITY from the
/// level, SYSLOG_IDENTIFIER, and the line's key=value words for session=, user=, line=, node=
/// and call-id= as the fields SESSION, USER, LINE, NODE, CALL_ID (values may be "quoted").
std::shared_ptr<spdlog::sinks::sink> journal_sink(std::string_view identifier);

/// The key=value fields journal_sink() extracts from `text`, as "FIELD=value" strings.
std::vector<std::string> journal_fields(std::string_view text);

}  // namespace rcc::util::systemd
