#include "rcc/status.h"

#include <map>

#include <nlohmann/json.hpp>

namespace rcc::gateway {
namespace {

constexpr Refusal kRefusals[] = {
    Refusal::unknown_user,       Refusal::rcc_disabled,
    Refusal::bad_line_uri,       Refusal::unknown_dn,
    Refusal::device_not_on_line, Refusal::ambiguous_device,
    Refusal::too_many_devices,   Refusal::no_node_up,
    Refusal::line_mismatch,      Refusal::directory_unavailable,
    Refusal::overloaded,         Refusal::bad_directory_entry,
};
constexpr SessionState kStates[] = {SessionState::active, SessionState::failing_over,
                                    SessionState::needs_reinvite, SessionState::ending};

class Exposition {
 public:
  void family(const char* name, const char* type, const char* help) {
    out_ += "# HELP ";
    out_ += name;
    out_ += ' ';
    out_ += help;
    out_ += "\n# TYPE ";
    out_ += name;
    out_ += ' ';
    out_ += type;
    out_ += '\n';
  }
  void sample(const std::string& name, const std::string& labels, double value) {
    out_ += name;
    if (!labels.empty()) out_ += "{" + labels + "}";
    out_ += ' ';
    out_ += number(value);
    out_ += '\n';
  }
  std::string& text() { return out_; }

 private:
  static std::string number(double v) {
    if (v == static_cast<double>(static_cast<std::int64_t>(v)))
      return std::to_string(static_cast<std::int64_t>(v));
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
  }
  std::string out_;
};

std::string label(const char* key, std::string_view value) {
  return std::string(key) + "=\"" + prometheus_label(value) + "\"";
}

std::string bound(double b) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", b);
  return buf;
}

}  // namespace

std::string prometheus_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

bool serving(const StatusSnapshot& s) {
  for (const auto& n : s.nodes)
    if (n.state == "up") return true;
  return false;
}

std::string render_metrics(const StatusSnapshot& s) {
  const Gateway& gw = *s.gateway;
  const Counters& c = gw.counters();
  Exposition e;
  e.family("rcc_build_info", "gauge", "Version of rcc-gatewayd; always 1.");
  e.sample("rcc_build_info", label("version", s.version), 1);
  e.family("rcc_start_time_seconds", "gauge", "When the daemon started, unix seconds.");
  e.sample("rcc_start_time_seconds", "", double(s.started));
  e.family("rcc_serving", "gauge", "1 when at least one CTI node is up (as /healthz).");
  e.sample("rcc_serving", "", serving(s) ? 1 : 0);

  std::map<SessionState, std::size_t> by_state;
  std::size_t queued = 0;
  for (const SessionId id : gw.sessions().all()) {
    const Session* session = gw.sessions().find(id);
    if (!session) continue;
    ++by_state[session->state];
    if (s.dialogs) queued += s.dialogs->queued_infos(session->dialog);
  }
  e.family("rcc_sessions", "gauge", "RCC sessions (uaCSTA dialogs) by state.");
  for (const auto st : kStates)
    e.sample("rcc_sessions", label("state", to_string(st)), double(by_state[st]));
  e.family("rcc_sign_ins_total", "counter", "Sign-ins accepted (200 to the INVITE).");
  e.sample("rcc_sign_ins_total", "", double(c.sign_ins));
  e.family("rcc_sign_outs_total", "counter", "Sessions the client ended with BYE.");
  e.sample("rcc_sign_outs_total", "", double(c.sign_outs));
  e.family("rcc_session_refreshes_total", "counter",
           "Session refreshes (UPDATE or re-INVITE) answered 200.");
  e.sample("rcc_session_refreshes_total", "", s.dialogs ? double(s.dialogs->refreshes()) : 0);
  e.family("rcc_refusals_total", "counter", "Sign-ins refused, by reason.");
  for (const auto r : kRefusals) {
    const auto it = c.refusals_by_reason.find(r);
    e.sample("rcc_refusals_total", label("reason", to_string(r)),
             double(it == c.refusals_by_reason.end() ? 0 : it->second));
  }
  e.family("rcc_requests_total", "counter",
           "Client CSTA requests answered, by service and result (ok, or error: a CSTAErrorCode).");
  for (const auto& [key, n] : c.answers)
    e.sample("rcc_requests_total", label("service", key.first) + "," + label("result", key.second),
             double(n));
  e.family("rcc_privilege_refusals_total", "counter",
           "Requests naming a line, call or monitor that is not the session's own.");
  e.sample("rcc_privilege_refusals_total", "", double(c.privilege_refusals));
  e.family("rcc_events_total", "counter", "CSTA events sent to clients as INFO.");
  e.sample("rcc_events_total", "", double(c.events));
  e.family("rcc_failovers_total", "counter", "Sessions moved off a CTI node that was lost.");
  e.sample("rcc_failovers_total", "", double(c.failovers));

  e.family("rcc_info_round_trip_seconds", "histogram",
           "From a client INFO's arrival to its answer.");
  std::uint64_t cumulative = 0;
  const auto& h = c.round_trip;
  for (std::size_t i = 0; i < h.bounds.size(); ++i) {
    cumulative += h.counts[i];
    e.sample("rcc_info_round_trip_seconds_bucket", label("le", bound(h.bounds[i])),
             double(cumulative));
  }
  e.sample("rcc_info_round_trip_seconds_bucket", label("le", "+Inf"), double(h.count));
  e.sample("rcc_info_round_trip_seconds_sum", "", h.sum);
  e.sample("rcc_info_round_trip_seconds_count", "", double(h.count));

  e.family("rcc_event_infos_queued", "gauge", "Event INFOs waiting behind one in progress.");
  e.sample("rcc_event_infos_queued", "", double(queued));
  e.family("rcc_sip_connections", "gauge", "Open SIP connections by transport.");
  e.sample("rcc_sip_connections", label("transport", "tcp"), double(s.connections_tcp));
  e.sample("rcc_sip_connections", label("transport", "tls"), double(s.connections_tls));
  e.family("rcc_sip_dialogs", "gauge", "SIP dialogs the dialog layer holds.");
  e.sample("rcc_sip_dialogs", "", s.dialogs ? double(s.dialogs->dialog_count()) : 0);

  e.family("rcc_cti_node_up", "gauge", "1 when the CTI node's application session is up.");
  for (const auto& n : s.nodes)
    if (n.state != "removed")
      e.sample("rcc_cti_node_up", label("node", n.name), n.state == "up" ? 1 : 0);
  e.family("rcc_cti_node_round_trip_seconds", "gauge",
           "The last heartbeat round trip of each CTI node that is up.");
  for (const auto& n : s.nodes)
    if (n.round_trip)
      e.sample("rcc_cti_node_round_trip_seconds", label("node", n.name), *n.round_trip);
  e.family("rcc_cti_node_queued_requests", "gauge", "Requests waiting in each node's queue.");
  for (const auto& n : s.nodes)
    if (n.state != "removed")
      e.sample("rcc_cti_node_queued_requests", label("node", n.name), double(n.queued));

  e.family("rcc_config_reloads_total", "counter", "SIGHUP reloads, by result.");
  e.sample("rcc_config_reloads_total", label("result", "applied"), double(s.reloads));
  e.sample("rcc_config_reloads_total", label("result", "refused"), double(s.reloads_refused));
  e.text() += s.extra_metrics;
  return std::move(e.text());
}

std::string render_sessions_json(const StatusSnapshot& s) {
  const Gateway& gw = *s.gateway;
  nlohmann::json sessions = nlohmann::json::array();
  for (const SessionId id : gw.sessions().all()) {
    const Session* x = gw.sessions().find(id);
    if (!x) continue;
    std::string device;
    for (const auto& d : x->devices)
      device += (device.empty() ? "" : ",") + d;
    const std::string node = x->node < s.nodes.size() ? s.nodes[x->node].name : "?";
    sessions.push_back(
        {{"id", x->id},
         {"user", x->user},
         {"line", x->line_uri},
         {"device", device},
         {"acting_device",
          x->acting_device.empty() ? nlohmann::json(nullptr) : nlohmann::json(x->acting_device)},
         {"bound", x->bound},
         {"node", node},
         {"state", std::string(to_string(x->state))},
         {"monitoring", x->monitoring},
         {"since", x->since},
         {"last_refresh", x->last_refresh},
         {"call_id", x->sip_call_id}});
  }
  nlohmann::json nodes = nlohmann::json::array();
  for (const auto& n : s.nodes) {
    if (n.state == "removed") continue;
    nlohmann::json j = {{"name", n.name}, {"state", n.state}, {"queued", n.queued}};
    j["round_trip"] = n.round_trip ? nlohmann::json(*n.round_trip) : nlohmann::json(nullptr);
    nodes.push_back(std::move(j));
  }
  const Counters& c = gw.counters();
  nlohmann::json out = {{"version", s.version},
                        {"started", s.started},
                        {"serving", serving(s)},
                        {"embedded", s.embedded},
                        {"sessions", std::move(sessions)},
                        {"nodes", std::move(nodes)},
                        {"counters",
                         {{"sign_ins", c.sign_ins},
                          {"refusals", c.refusals},
                          {"requests", c.requests},
                          {"events", c.events},
                          {"failovers", c.failovers}}}};
  return out.dump(2) + "\n";
}

}  // namespace rcc::gateway
