#include "live.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <set>

#include "csta/events.h"
#include "csta/services.h"
#include "cti/link.h"
#include "uacsta/client.h"
#include "user.h"

namespace rcc::troubleshoot {
namespace {

using nlohmann::json;
namespace net = boost::asio;

std::string ms_text(double ms) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f ms", ms);
  return b;
}

/// The element name of a CSTA body ("MonitorStartResponse", "CSTAErrorCode ...").
std::string name_of(const csta::Message& m) {
  return std::visit(
      [](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, csta::CSTAErrorCode>)
          return "CSTAErrorCode " + b.category + "/" + b.value;
        else
          return std::string(T::kElement);
      },
      m.body);
}

/// The answer in words: "200 OK, RequestSystemStatusResponse" or "no answer: ...".
std::string answer_text(const uacsta::Reply& r) {
  if (r.status == 0) return "no answer (" + r.error + ")";
  std::string t = std::to_string(r.status) + " " + r.reason;
  if (r.csta) t += ", " + name_of(*r.csta);
  if (!r.warning.empty()) t += " (Warning: " + r.warning + ")";
  if (!r.error.empty()) t += " [" + r.error + "]";
  return t;
}

json evidence_of(const uacsta::Reply& r) {
  return json{{"sip_status", r.status}, {"reason", r.reason}, {"warning", r.warning}, {"ms", r.ms},
              {"body", r.body},         {"error", r.error}};
}

/// The whole live run: one step after the other, on one io_context.
class Run {
 public:
  Run(const Setup& s, const std::optional<directory::User>& u, const LiveOptions& o, Report& r)
      : setup_(s), options_(o), report_(r), timer_(io_) {
    if (u) {
      line_ = u->line_uri;
      from_ = u->ocs_primary_address.empty() ? as_from_uri(o.user) : u->ocs_primary_address;
    } else {
      from_ = as_from_uri(o.user);
    }
  }

  void go() {
    auto at = cti::parse_node_address(setup_.gateway.listen_tcp);
    if (setup_.gateway.listen_tcp.empty() || !at) {
      report_.fail("live-options", "the gateway has no TCP listener: --live speaks TCP only",
                   "set [gateway] listen-tcp (a loopback address will do) for the test");
      return;
    }
    std::string host = at->host;
    if (host == "0.0.0.0") host = "127.0.0.1";
    if (host == "::") host = "::1";
    gateway_ = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + at->port;
    uacsta::ClientOptions co;
    co.gateway = gateway_;
    co.rcc_uri_user = setup_.gateway.rcc_uri_user;
    co.local_host = host.find(':') != std::string::npos ? "::1" : "127.0.0.1";
    co.timeout = std::chrono::milliseconds(std::int64_t(options_.timeout * 1000));
    client_ = std::make_unique<uacsta::Client>(io_, co);
    if (auto started = client_->start(); !started) {
      report_.fail("live-options",
                   "cannot listen for the gateway's requests: " + started.error().message(),
                   "free a local TCP port on " + co.local_host);
      return;
    }
    client_->on_event = [this](uacsta::SessionId, const csta::Message& m) { on_event(m); };
    step_options();
    // Bounded: every step has its own timeout; this is the backstop for the whole run.
    io_.run_for(std::chrono::milliseconds(std::int64_t(options_.timeout * 1000 * 12 + 2000)));
  }

 private:
  void finish() {
    client_->stop();
    timer_.cancel();
  }
  void skip_rest(const char* from) {
    static const char* kSteps[] = {"live-options",       "live-invite",       "live-features",
                                   "live-monitor-start", "live-snapshot",     "live-make-call",
                                   "live-events",        "live-monitor-stop", "live-bye"};
    bool after = false;
    for (const char* s : kSteps) {
      if (after && (options_.dial.size() ||
                    (std::string(s) != "live-make-call" && std::string(s) != "live-events")))
        report_.skip(s, "an earlier step failed");
      if (std::string(s) == from) after = true;
    }
  }
  bool judge(const char* id, const std::string& what, const uacsta::Reply& r, const char* expected,
             const std::string& fix) {
    const bool ok = r.status == 200 && r.csta && name_of(*r.csta) == expected;
    auto& c = ok ? report_.pass(id, what + ": " + answer_text(r) + " in " + ms_text(r.ms))
                 : report_.fail(id, what + ": " + answer_text(r), fix);
    c.evidence = evidence_of(r);
    return ok;
  }

  void step_options() {
    client_->options([this](uacsta::Reply r) {
      const bool ok = r.status == 200;
      auto& c =
          ok ? report_.pass("live-options", "OPTIONS to " + gateway_ + ": 200 in " + ms_text(r.ms))
             : report_.fail("live-options", "OPTIONS to " + gateway_ + ": " + answer_text(r),
                            "is rcc-gatewayd running and listening on " + gateway_ +
                                "? (systemctl status rcc-gatewayd; [gateway] listen-tcp)");
      c.evidence = evidence_of(r);
      if (!ok) {
        skip_rest("live-options");
        return finish();
      }
      step_invite();
    });
  }

  void step_invite() {
    session_ = client_->sign_in(from_, line_, [this](uacsta::SessionId, uacsta::Reply r) {
      bool ok = r.status == 200 && r.csta &&
                std::holds_alternative<csta::RequestSystemStatusResponse>(r.csta->body);
      std::string what = "INVITE as " + from_;
      if (r.status >= 300) {
        // The gateway's refusal: the SIP status and its Warning name the reason.
        report_
            .fail("live-invite", what + ": the gateway refuses the sign-in: " + answer_text(r),
                  "the Warning names the refusal; the user checks above say what to change")
            .evidence = evidence_of(r);
        skip_rest("live-invite");
        return finish();
      }
      if (!ok) {
        report_
            .fail("live-invite", what + ": " + answer_text(r),
                  "is rcc-gatewayd running on " + gateway_ + "?")
            .evidence = evidence_of(r);
        skip_rest("live-invite");
        return finish();
      }
      report_.pass("live-invite", what + ": " + answer_text(r) + " in " + ms_text(r.ms)).evidence =
          evidence_of(r);
      signed_in_ = true;
      step_features();
    });
  }

  void step_features() {
    csta::GetCSTAFeatures f;
    if (!line_.empty()) f.line = line_;
    client_->request(session_, f, [this](uacsta::Reply r) {
      if (!judge("live-features", "GetCSTAFeatures", r, "GetCSTAFeaturesResponse",
                 "the gateway should answer GetCSTAFeatures: see its log for the call-id"))
        return bail("live-features");
      step_monitor();
    });
  }

  void step_monitor() {
    client_->request(session_, csta::MonitorStart{line_}, [this](uacsta::Reply r) {
      if (!judge("live-monitor-start", "MonitorStart " + line_, r, "MonitorStartResponse",
                 "the CTI side refused to monitor the line: check the device and the "
                 "application user's permissions"))
        return bail("live-monitor-start");
      xref_ = std::get<csta::MonitorStartResponse>(r.csta->body).monitor_cross_ref_id;
      step_snapshot();
    });
  }

  void step_snapshot() {
    client_->request(session_, csta::SnapshotDevice{line_}, [this](uacsta::Reply r) {
      if (!judge("live-snapshot", "SnapshotDevice", r, "SnapshotDeviceResponse",
                 "the call manager does not answer for the line: is the device registered?"))
        return bail("live-snapshot");
      if (options_.dial.empty()) return step_monitor_stop();
      step_dial();
    });
  }

  void step_dial() {
    csta::MakeCall mc;
    mc.calling_device = line_;
    mc.called_directory_number = options_.dial;
    mc.auto_originate = "doNotPrompt";
    dialing_ = true;
    dial_sent_ = std::chrono::steady_clock::now();
    client_->request(session_, mc, [this](uacsta::Reply r) {
      if (!judge("live-make-call", "MakeCall to " + options_.dial, r, "MakeCallResponse",
                 "the call manager refused the call: check the number and the device"))
        return bail("live-make-call");
      timer_.expires_after(std::chrono::milliseconds(std::int64_t(options_.timeout * 1000)));
      timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        events_done();
      });
      if (seen_.count("DeliveredEvent") && seen_.count("EstablishedEvent")) events_done();
    });
  }

  void on_event(const csta::Message& m) {
    if (!dialing_) return;
    const std::string n = name_of(m);
    events_.push_back(n);
    seen_.insert(n);
    if (seen_.count("DeliveredEvent") && seen_.count("EstablishedEvent") && !events_reported_ &&
        report_.checks().back().id == "live-make-call")
      events_done();
  }

  void events_done() {
    if (events_reported_) return;
    events_reported_ = true;
    timer_.cancel();
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - dial_sent_)
            .count();
    std::string list;
    for (const auto& e : events_)
      list += (list.empty() ? "" : ", ") + e;
    const bool ok = seen_.count("DeliveredEvent") && seen_.count("EstablishedEvent");
    auto& c = ok ? report_.pass("live-events", "events: " + list + " (" + ms_text(ms) + ")")
                 : report_.fail(
                       "live-events",
                       "within " + ms_text(options_.timeout * 1000) +
                           " the events were: " + (list.empty() ? std::string("none") : list) +
                           " (Delivered and Established expected)",
                       "answer the call at " + options_.dial + ", or give --timeout more seconds");
    c.evidence = json{{"events", events_}};
    step_monitor_stop();
  }

  void bail(const char* step) {
    skip_rest(step);
    // The steps skipped include MonitorStop and BYE: sign out anyway.
    if (signed_in_) client_->sign_out(session_);
    finish();
  }

  void step_monitor_stop() {
    client_->request(session_, csta::MonitorStop{xref_}, [this](uacsta::Reply r) {
      judge("live-monitor-stop", "MonitorStop " + xref_, r, "MonitorStopResponse",
            "the gateway should answer MonitorStop: see its log");
      client_->sign_out(session_);
      report_.pass("live-bye", "BYE sent; the session is over");
      finish();
    });
  }

  const Setup& setup_;
  LiveOptions options_;
  Report& report_;
  net::io_context io_;
  net::steady_timer timer_;
  std::unique_ptr<uacsta::Client> client_;
  std::string gateway_, from_, line_, xref_;
  uacsta::SessionId session_ = 0;
  bool signed_in_ = false, dialing_ = false, events_reported_ = false;
  std::chrono::steady_clock::time_point dial_sent_;
  std::vector<std::string> events_;
  std::set<std::string> seen_;
};

}  // namespace

void check_live(const Setup& setup, const std::optional<directory::User>& user,
                const LiveOptions& options, Report& report) {
  if (!setup.config_ok) {
    report.skip("live-options", "the configuration did not load");
    return;
  }
  Run run(setup, user, options, report);
  run.go();
}

}  // namespace rcc::troubleshoot
