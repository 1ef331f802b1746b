#include "output.h"

#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace rcc::ctiprobe {
namespace {

std::string fixed(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string seconds(double ms) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", ms / 1000.0);
  return buf;
}

/// Perfdata repeats the range as given; '@' ranges are kept, as the guidelines allow.
std::string range_text(const std::optional<rules::Range>& r) {
  return r ? r->text() : std::string();
}

std::string prom_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

const char* to_string(State s) {
  switch (s) {
    case State::ok:
      return "OK";
    case State::warning:
      return "WARNING";
    case State::critical:
      return "CRITICAL";
    case State::unknown:
      return "UNKNOWN";
  }
  return "UNKNOWN";
}

Verdict judge(const std::vector<NodeResult>& results, const Thresholds& t) {
  Verdict v;
  for (const auto& r : results) {
    State s = State::ok;
    if (!r.ok)
      s = State::critical;
    else if (t.critical && r.rtt_ms && t.critical->alerts(*r.rtt_ms))
      s = State::critical;
    else if (t.warning && r.rtt_ms && t.warning->alerts(*r.rtt_ms))
      s = State::warning;
    v.per_node.push_back(s);
    // monitoring-plugins max_state: CRITICAL > WARNING > OK.
    if (int(s) > int(v.state)) v.state = s;
  }
  return v;
}

std::string status_line(const std::vector<NodeResult>& results, const Verdict& v,
                        const Thresholds& t) {
  std::size_t up = 0;
  for (const auto& r : results)
    up += r.ok ? 1 : 0;
  std::ostringstream line;
  line << "CTI " << to_string(v.state) << " - " << up << "/" << results.size() << " nodes up";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (!r.ok)
      line << "; " << r.node.name() << ": " << r.problem;
    else if (v.per_node[i] != State::ok)
      line << "; " << r.node.name() << ": rtt " << fixed(*r.rtt_ms) << " ms "
           << (v.per_node[i] == State::critical ? "critical" : "warning");
  }
  line << " |";
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    const std::string label = "node" + std::to_string(i + 1);
    // An unreachable node reports 'U' (the guidelines' "value unknown").
    line << " '" << label << "_rtt'=" << (r.rtt_ms ? fixed(*r.rtt_ms) + "ms" : std::string("U"))
         << ";" << range_text(t.warning) << ";" << range_text(t.critical) << ";0";
    line << " '" << label
         << "_connect'=" << (r.connect_ms ? fixed(*r.connect_ms) + "ms" : std::string("U"))
         << ";;;0";
    line << " '" << label
         << "_session'=" << (r.session_ms ? fixed(*r.session_ms) + "ms" : std::string("U"))
         << ";;;0";
  }
  return line.str();
}

std::string json_report(const std::vector<NodeResult>& results, const Verdict& v) {
  nlohmann::json j;
  j["status"] = to_string(v.state);
  j["exit_code"] = int(v.state);
  j["nodes"] = nlohmann::json::array();
  for (std::size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    nlohmann::json n;
    n["node"] = r.node.name();
    n["up"] = r.ok;
    n["status"] = to_string(v.per_node[i]);
    if (!r.ok) n["problem"] = r.problem;
    auto put = [&](const char* key, const std::optional<double>& value) {
      n[key] = value ? nlohmann::json(*value) : nlohmann::json(nullptr);
    };
    put("connect_ms", r.connect_ms);
    put("tls_ms", r.tls_ms);
    put("session_ms", r.session_ms);
    put("rtt_ms", r.rtt_ms);
    n["total_ms"] = r.total_ms;
    j["nodes"].push_back(n);
  }
  return j.dump();
}

Result<void> write_prometheus(const std::string& path, const std::vector<NodeResult>& results,
                              const Verdict& v) {
  std::ostringstream out;
  out << "# HELP rcc_ctiprobe_up Whether the CTI node passed every probe step.\n"
         "# TYPE rcc_ctiprobe_up gauge\n";
  for (const auto& r : results)
    out << "rcc_ctiprobe_up{node=\"" << prom_escape(r.node.name()) << "\"} " << (r.ok ? 1 : 0)
        << "\n";
  auto series = [&](const char* name, const char* help, auto get) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n";
    for (const auto& r : results)
      if (auto value = get(r))
        out << name << "{node=\"" << prom_escape(r.node.name()) << "\"} " << seconds(*value)
            << "\n";
  };
  series("rcc_ctiprobe_connect_seconds", "TCP connect time.",
         [](const NodeResult& r) { return r.connect_ms; });
  series("rcc_ctiprobe_session_start_seconds", "StartApplicationSession round trip.",
         [](const NodeResult& r) { return r.session_ms; });
  series("rcc_ctiprobe_heartbeat_rtt_seconds", "ResetApplicationSessionTimer round trip.",
         [](const NodeResult& r) { return r.rtt_ms; });
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  out << "# HELP rcc_ctiprobe_status Overall state (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).\n"
         "# TYPE rcc_ctiprobe_status gauge\nrcc_ctiprobe_status "
      << int(v.state)
      << "\n# HELP rcc_ctiprobe_last_run_timestamp_seconds When the probe ran.\n"
         "# TYPE rcc_ctiprobe_last_run_timestamp_seconds gauge\n"
         "rcc_ctiprobe_last_run_timestamp_seconds "
      << now << "\n";
  const std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << out.str();
    f.flush();
    if (!f) {
      std::remove(tmp.c_str());
      return Error(rcc::Errc::file_unreadable, tmp + ": cannot write");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    std::remove(tmp.c_str());
    return Error(rcc::Errc::file_unreadable, path + ": " + why);
  }
  return {};
}

}  // namespace rcc::ctiprobe
