#include "daemon.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "config/config.h"
#include "cti/cti_config.h"
#include "cti/node_pool.h"
#include "ctisim/server.h"
#include "diag/exit_code.h"
#include "directory/directory.h"
#include "directory/source_factory.h"
#include "directory/user_source.h"
#include "rcc/acl.h"
#include "rcc/gateway.h"
#include "rcc/gateway_config.h"
#include "rcc/pool_cti.h"
#include "rules/rule_file.h"
#include "rules/rule_set.h"
#include "sip/transport_stack.h"
#include "util/log.h"
#include "util/text.h"

namespace rcc::gatewayd {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

/// A configuration or input problem: exit status 2.
[[noreturn]] void fail(const std::string& what) {
  throw Exception(Error(rcc::Errc::invalid_argument, what));
}
/// A failure of the running system (a port taken, ...): exit status 1.
[[noreturn]] void fail_runtime(const std::string& what) {
  throw std::runtime_error(what);
}

/// The directory file: --directory, else [directory] file, else the shipped example (the
/// embedded default), looked for in ./examples and in the installed documentation.
std::string directory_path(const Options& o, const gateway::GatewayConfig& c, bool embedded) {
  if (!o.directory.empty()) return o.directory;
  if (!c.directory_file.empty()) return c.directory_file;
  if (!embedded)
    fail(
        "[directory] file: needed with [cti] nodes (the example directory is for the embedded "
        "simulator only)");
  for (const std::string& candidate :
       {std::string("examples/directory.toml"), std::string(RCC_EXAMPLES_DIR) + "/directory.toml"})
    if (std::filesystem::exists(candidate)) return candidate;
  fail(
      "no directory file: give --directory, [directory] file, or run from the source tree "
      "(examples/directory.toml)");
}

cti::NodeAddress listen_address(const std::string& text, const char* key) {
  auto a = cti::parse_node_address(text);
  if (!a) fail(std::string("[gateway] ") + key + ": " + a.error().detail());
  return *a;
}

std::string host_port(const std::string& host, std::uint16_t port) {
  return (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" +
         std::to_string(port);
}

/// A normalization rules file as a number translation for the gateway (nullopt: no rule).
struct NumberRules {
  std::unique_ptr<rules::RuleFile> file;
  std::unique_ptr<rules::Normalizer> normalizer;
};
std::shared_ptr<NumberRules> load_rules(const std::string& path) {
  if (path.empty()) return nullptr;
  auto file = rules::load_rule_file(path);
  if (!file) throw Exception(file.error());
  auto r = std::make_shared<NumberRules>();
  r->file = std::make_unique<rules::RuleFile>(std::move(*file));
  if (!r->file->errors.empty()) throw Exception(r->file->errors.front());
  r->normalizer = std::make_unique<rules::Normalizer>(*r->file);
  return r;
}

std::function<std::optional<std::string>(std::string_view)> translator(
    std::shared_ptr<NumberRules> rules) {
  if (!rules) return {};
  return [rules](std::string_view number) -> std::optional<std::string> {
    std::string n(number);
    if (n.rfind("tel:", 0) == 0) n = n.substr(4);
    n = n.substr(0, n.find(';'));
    std::string result;
    if (rules->normalizer->normalize(n, result).status != rules::Status::normalized)
      return std::nullopt;
    return result;
  };
}

}  // namespace

int run(const Options& o) {
  tool::setup_logging(o.common);
  if (o.common.verbosity == 0 && !o.common.quiet) spdlog::set_level(spdlog::level::info);
  auto log = util::logger("gateway");

  // --- configuration: everything is checked before anything listens ---
  std::optional<config::Document> doc;
  if (auto path = config::locate(o.common.config_path)) {
    auto loaded = config::load_file(*path);
    if (!loaded) throw Exception(loaded.error());
    doc.emplace(std::move(*loaded));
  }
  gateway::GatewayConfig gc;
  cti::CtiConfig cc;
  if (doc) {
    gc = gateway::load_gateway_config(*doc);
    cc = cti::load_cti_config(*doc);
  }
  const bool embedded = cc.nodes.empty();
  const std::string dir_path = directory_path(o, gc, embedded);
  auto dir = directory::load_directory_file(dir_path);
  if (!dir) throw Exception(dir.error());
  // Parsing a large directory leaves much freed memory behind (100,000 users: ~300 MB); give
  // it back before the daemon settles (glibc keeps it otherwise).
  ::malloc_trim(0);
  auto acl = gateway::Acl::build(gc.acl, gateway::Acl::system_resolve);
  if (!acl) fail("[gateway] acl: " + acl.error().message());
  auto outbound = load_rules(gc.outbound_rules);
  auto inbound = load_rules(gc.inbound_rules);
  if (embedded && cc.application_user.empty()) cc.application_user = "rccgateway";
  if (embedded) {
    const auto* app = dir->application_user(cc.application_user);
    if (!app)
      fail("embedded simulator: the directory " + dir_path + " has no application user '" +
           cc.application_user + "'");
    cc.password = app->password;
  }
  if (!embedded && cc.application_user.empty())
    fail("[cti] application-user: needed with [cti] nodes");
  std::optional<cti::NodeAddress> tcp_at, tls_at;
  if (!gc.listen_tcp.empty()) tcp_at = listen_address(gc.listen_tcp, "listen-tcp");
  if (!gc.listen_tls.empty()) tls_at = listen_address(gc.listen_tls, "listen-tls");
  if (gc.listen_tls.size()) {
    auto ctx = sip::make_tls_context(gc.tls, sip::TlsRole::server);
    if (!ctx) fail("[gateway] TLS identity: " + ctx.error().message());
  }
  if (o.check_config) {
    std::printf("%s: valid\n", doc ? doc->path().c_str() : "(no configuration file)");
    return exit_code::kOk;
  }

  // --- the CTI side ---
  net::io_context ioc;
  // Signals are caught from here on (handled once the loop runs): a SIGTERM during start-up
  // still stops cleanly.
  net::signal_set stop_signals(ioc, SIGINT, SIGTERM);
  net::signal_set hup(ioc, SIGHUP);
  std::unique_ptr<ctisim::Server> sim;
  if (embedded) {
    ctisim::ServerOptions so;
    sim = std::make_unique<ctisim::Server>(ioc, *dir, so);
    auto bound = sim->listen(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    if (!bound) fail_runtime("embedded simulator: " + bound.error().message());
    auto control = sim->listen_control(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    if (!control) fail_runtime("embedded simulator control: " + control.error().message());
    cc.nodes.push_back({"127.0.0.1", std::to_string(bound->port())});
    log->info(
        "embedded default: no [cti] nodes configured, running the CTI simulator "
        "in-process on 127.0.0.1:{} with {} (control port 127.0.0.1:{})",
        bound->port(), dir_path, control->port());
    std::printf("cti 127.0.0.1:%u embedded\ncontrol 127.0.0.1:%u\n", bound->port(),
                control->port());
  }
  cti::PoolTimings timings;
  timings.heartbeat_interval = cc.heartbeat_interval;
  timings.heartbeat_window = 2 * cc.heartbeat_interval + std::chrono::seconds(5);
  cti::NodePool pool(ioc, cc.nodes, cc.link_options(cc.nodes.front()), timings);
  cti::NodePool::Pacing pacing;
  pacing.per_second = cc.requests_per_second;
  pacing.max_in_flight = cc.max_in_flight;
  pool.set_pacing(pacing);
  gateway::PoolCti cti_side(pool);

  // --- the gateway and the SIP stack ---
  gateway::Settings settings;
  settings.mode = gc.mode;
  settings.failover = gc.failover;
  settings.retry_after = gc.retry_after;
  settings.outbound_number = translator(outbound);
  settings.inbound_number = translator(inbound);
  auto users = directory::make_user_source(gc.directory, *dir, ioc.get_executor());
  gateway::Gateway gw(*dir, *users, cti_side, settings);
  std::vector<cti::NodeState> last(pool.size(), cti::NodeState::down);
  pool.on_change = [&](std::size_t node, cti::NodeState state) {
    const bool was_up = last[node] == cti::NodeState::up;
    last[node] = state;
    if (state == cti::NodeState::up && !was_up) gw.on_node_state(node, true);
    if (state != cti::NodeState::up && was_up) gw.on_node_state(node, false);
  };
  pool.on_event = [&](std::size_t node, const csta::Message& m) { gw.on_event(node, m); };

  const std::string advertised =
      !gc.host.empty() ? gc.host : (tcp_at ? tcp_at->host : tls_at->host);
  sip::DialogConfig dc;
  dc.session_expires = gc.session_timer;
  dc.max_dialogs = gc.max_sessions;
  dc.max_queued_infos = gc.max_queued_events;
  dc.retry_after = gc.retry_after;
  dc.server = "rcc-gatewayd";
  sip::ConnectionOptions co;
  // Above the longest session interval: an idle client's connection survives between refreshes.
  co.read_timeout =
      std::chrono::seconds(gc.idle_timeout ? gc.idle_timeout : gc.session_timer + 120);
  co.message_timeout = std::chrono::seconds(gc.message_timeout);
  sip::Stack stack(ioc, gw, dc, co);
  gw.attach(stack.dialogs());
  stack.max_connections = gc.max_connections;
  std::map<std::string, Clock::time_point> refused_logged;
  stack.accept_filter = [&](const std::string& address) {
    if (acl->allows(address)) return true;
    auto& last_log = refused_logged[address];
    if (Clock::now() - last_log > std::chrono::minutes(1)) {
      last_log = Clock::now();
      log->warn("peer={} refused: not in the [gateway] acl (logged once a minute per peer)",
                address);
    }
    return false;
  };
  stack.admit = [&](const sip::Connection& c) {
    if (!c.secure() || gc.tls_peer_subjects.empty()) return true;
    for (const auto& name : c.peer_names())
      for (const auto& allowed : gc.tls_peer_subjects)
        if (util::iequals(name, allowed)) return true;
    log->warn("peer={} refused: TLS subject '{}' is not in [gateway] tls-peer-subjects", c.peer(),
              c.peer_subject());
    return false;
  };
  sip::Stack::Identity id;
  if (tcp_at) {
    auto port = stack.listen_tcp(tcp_at->host, std::uint16_t(std::stoi(tcp_at->port)));
    if (!port)
      fail_runtime("[gateway] listen-tcp " + gc.listen_tcp + ": " + port.error().message());
    id.tcp_sent_by = host_port(advertised, *port);
    id.tcp_contact = "sip:" + gc.rcc_uri_user + "@" + id.tcp_sent_by + ";transport=tcp";
    std::printf("sip tcp %s\n", host_port(tcp_at->host, *port).c_str());
  }
  if (tls_at) {
    auto port = stack.listen_tls(tls_at->host, std::uint16_t(std::stoi(tls_at->port)), gc.tls);
    if (!port)
      fail_runtime("[gateway] listen-tls " + gc.listen_tls + ": " + port.error().message());
    id.tls_sent_by = host_port(advertised, *port);
    id.tls_contact = "sip:" + gc.rcc_uri_user + "@" + id.tls_sent_by + ";transport=tls";
    std::printf("sip tls %s\n", host_port(tls_at->host, *port).c_str());
    if (auto r = stack.set_client_tls(gc.tls); !r)
      fail("[gateway] TLS client identity: " + r.error().message());
  }
  stack.set_identity(id);
  std::fflush(stdout);
  pool.start();
  log->info("rcc-gatewayd {} listening: {}{}{}; {} CTI node(s); server-type={} failover={}",
            RCC_VERSION, gc.listen_tcp.empty() ? "" : "tcp " + id.tcp_sent_by,
            gc.listen_tcp.empty() || gc.listen_tls.empty() ? "" : ", ",
            gc.listen_tls.empty() ? "" : "tls " + id.tls_sent_by, cc.nodes.size(),
            gc.mode == gateway::ServerMode::lcs ? "lcs" : "ocs",
            gc.failover == gateway::Failover::reinvite ? "reinvite" : "transparent");

  // --- signals ---
  net::steady_timer drain(ioc);
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      log->warn(
          "SIGHUP: configuration reload is not supported yet; the running configuration "
          "is kept");
      wait_hup();
    });
  };
  wait_hup();
  stop_signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    log->info("signal {}: ending {} session(s), then stopping", sig, gw.sessions().size());
    gw.end_all();  // BYE to every dialog, MonitorStop to the nodes
    drain.expires_after(std::chrono::milliseconds(500));
    drain.async_wait([&](boost::system::error_code) {
      pool.stop();
      drain.expires_after(std::chrono::milliseconds(500));
      drain.async_wait([&](boost::system::error_code) {
        stack.stop();
        if (sim) sim->close();
        hup.cancel();
        ioc.stop();
      });
    });
  });
  ioc.run();
  log->info("stopped");
  return exit_code::kOk;
}

}  // namespace rcc::gatewayd
