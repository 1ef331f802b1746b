// rcc-gatewayd --status: the running daemon's sessions and CTI nodes, read from its status
// endpoint ([gateway] metrics-listen, /sessions), for a person at a shell or (--json) a script.

#include <cstdio>
#include <ctime>
#include <string>

#include <nlohmann/json.hpp>

#include "config/config.h"
#include "cti/cti_config.h"
#include "daemon.h"
#include "diag/exit_code.h"
#include "rcc/gateway_config.h"
#include "util/http.h"

namespace rcc::gatewayd {
namespace {

std::string when(std::int64_t unix_seconds) {
  if (unix_seconds <= 0) return "-";
  const std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string text(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "-";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

}  // namespace

int print_status(const Options& o) {
  gateway::GatewayConfig gc;
  if (auto path = config::locate(o.common.config_path)) {
    auto doc = config::load_file(*path);
    if (!doc) throw Exception(doc.error());
    gc = gateway::load_gateway_config(*doc);
  }
  if (gc.metrics_listen.empty())
    throw Exception(Error(rcc::Errc::invalid_argument,
                          "[gateway] metrics-listen is empty: the daemon has no status endpoint"));
  auto at = cti::parse_node_address(gc.metrics_listen);
  if (!at)
    throw Exception(
        Error(rcc::Errc::invalid_argument, "[gateway] metrics-listen: " + at.error().detail()));
  auto got = util::http_get(at->host, std::uint16_t(std::stoi(at->port)), "/sessions",
                            std::chrono::seconds(5));
  if (!got) {
    std::fprintf(stderr, "rcc-gatewayd: no running gateway answers: %s\n",
                 got.error().message().c_str());
    return exit_code::kFailure;
  }
  if (got->status != 200) {
    std::fprintf(stderr, "rcc-gatewayd: %s answered %u to /sessions\n", gc.metrics_listen.c_str(),
                 got->status);
    return exit_code::kFailure;
  }
  const auto j = nlohmann::json::parse(got->body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    std::fprintf(stderr, "rcc-gatewayd: %s: /sessions is not JSON\n", gc.metrics_listen.c_str());
    return exit_code::kFailure;
  }
  const bool serving = j.value("serving", false);
  if (o.json) {
    std::fputs(got->body.c_str(), stdout);
    return serving ? exit_code::kOk : exit_code::kFailure;
  }
  std::printf("rcc-gatewayd %s at %s, started %s UTC: %s\n", text(j, "version").c_str(),
              gc.metrics_listen.c_str(), when(j.value("started", std::int64_t(0))).c_str(),
              serving ? "serving" : "NOT SERVING (no CTI node up)");
  const auto& nodes = j["nodes"];
  std::printf("\nCTI nodes (%zu)%s\n", nodes.size(),
              j.value("embedded", false) ? ", embedded" : "");
  std::printf("  %-28s %-11s %12s %7s\n", "NODE", "STATE", "ROUND TRIP", "QUEUED");
  for (const auto& n : nodes) {
    std::string rtt = "-";
    if (n.contains("round_trip") && n["round_trip"].is_number()) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%.2f ms", n["round_trip"].get<double>() * 1000);
      rtt = buf;
    }
    std::printf("  %-28s %-11s %12s %7s\n", text(n, "name").c_str(), text(n, "state").c_str(),
                rtt.c_str(), text(n, "queued").c_str());
  }
  const auto& sessions = j["sessions"];
  std::printf("\nSessions (%zu)\n", sessions.size());
  if (!sessions.empty())
    std::printf("  %-16s %-34s %-16s %-22s %-8s %-19s %-19s\n", "USER", "LINE", "DEVICE", "NODE",
                "STATE", "SINCE (UTC)", "LAST REFRESH");
  for (const auto& s : sessions)
    std::printf("  %-16s %-34s %-16s %-22s %-8s %-19s %-19s\n", text(s, "user").c_str(),
                text(s, "line").c_str(), text(s, "device").c_str(), text(s, "node").c_str(),
                text(s, "state").c_str(), when(s.value("since", std::int64_t(0))).c_str(),
                when(s.value("last_refresh", std::int64_t(0))).c_str());
  return serving ? exit_code::kOk : exit_code::kFailure;
}

}  // namespace rcc::gatewayd
