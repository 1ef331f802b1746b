#include "daemon.h"

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <malloc.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <map>
#include <stdexcept>
#include <thread>

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
#include "rcc/status.h"
#include "rules/rule_file.h"
#include "rules/rule_set.h"
#include "sip/transport_stack.h"
#include "util/http.h"
#include "util/log.h"
#include "util/systemd.h"
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

/// Everything the configuration decides, loaded and checked before it is used: at start, and
/// at SIGHUP on a worker thread (files are read and host names resolved off the event loop).
struct Loaded {
  std::optional<config::Document> doc;
  gateway::GatewayConfig gc;
  cti::CtiConfig cc;
  bool embedded = false;
  std::string dir_path;
  std::unique_ptr<directory::FileDirectory> dir;
  std::unique_ptr<directory::UserSource> users;
  std::unique_ptr<gateway::Acl> acl;
  std::shared_ptr<NumberRules> outbound, inbound;
  std::shared_ptr<net::ssl::context> tls_server, tls_client;  ///< with listen-tls only
  std::optional<cti::NodeAddress> tcp_at, tls_at, http_at;

  std::string config_name() const { return doc ? doc->path() : "(no configuration file)"; }
};

/// Loads and checks everything; throws Exception (exit 2) naming the file:line:column or key.
std::unique_ptr<Loaded> load(const Options& o, net::any_io_executor ex) {
  auto l = std::make_unique<Loaded>();
  if (auto path = config::locate(o.common.config_path)) {
    auto loaded = config::load_file(*path);
    if (!loaded) throw Exception(loaded.error());
    l->doc.emplace(std::move(*loaded));
  }
  if (l->doc) {
    l->gc = gateway::load_gateway_config(*l->doc);
    l->cc = cti::load_cti_config(*l->doc);
  }
  l->embedded = l->cc.nodes.empty();
  l->dir_path = directory_path(o, l->gc, l->embedded);
  auto dir = directory::load_directory_file(l->dir_path);
  if (!dir) throw Exception(dir.error());
  l->dir = std::make_unique<directory::FileDirectory>(std::move(*dir));
  l->users = directory::make_user_source(l->gc.directory, *l->dir, ex);
  // Parsing a large directory leaves much freed memory behind (100,000 users: ~300 MB); give
  // it back before the daemon settles (glibc keeps it otherwise).
  ::malloc_trim(0);
  auto acl = gateway::Acl::build(l->gc.acl, gateway::Acl::system_resolve);
  if (!acl) fail("[gateway] acl: " + acl.error().message());
  l->acl = std::make_unique<gateway::Acl>(std::move(*acl));
  l->outbound = load_rules(l->gc.outbound_rules);
  l->inbound = load_rules(l->gc.inbound_rules);
  auto& cc = l->cc;
  if (l->embedded && cc.application_user.empty()) cc.application_user = "rccgateway";
  if (l->embedded) {
    const auto* app = l->dir->application_user(cc.application_user);
    if (!app)
      fail("embedded simulator: the directory " + l->dir_path + " has no application user '" +
           cc.application_user + "'");
    cc.password = app->password;
  }
  if (!l->embedded && cc.application_user.empty())
    fail("[cti] application-user: needed with [cti] nodes");
  if (!l->gc.listen_tcp.empty()) l->tcp_at = listen_address(l->gc.listen_tcp, "listen-tcp");
  if (!l->gc.listen_tls.empty()) {
    l->tls_at = listen_address(l->gc.listen_tls, "listen-tls");
    auto server = sip::make_tls_context(l->gc.tls, sip::TlsRole::server);
    if (!server) fail("[gateway] TLS identity: " + server.error().message());
    auto client = sip::make_tls_context(l->gc.tls, sip::TlsRole::client);
    if (!client) fail("[gateway] TLS client identity: " + client.error().message());
    l->tls_server = *server;
    l->tls_client = *client;
  }
  if (!l->gc.metrics_listen.empty())
    l->http_at = listen_address(l->gc.metrics_listen, "metrics-listen");
  return l;
}

gateway::Settings settings_of(const Loaded& l) {
  gateway::Settings s;
  s.mode = l.gc.mode;
  s.failover = l.gc.failover;
  s.retry_after = l.gc.retry_after;
  s.max_cti_backlog = l.gc.max_cti_backlog;
  s.outbound_number = translator(l.outbound);
  s.inbound_number = translator(l.inbound);
  return s;
}

/// The [gateway] keys a reload cannot change (sockets and the SIP layer's limits are set up
/// once): the names of those that differ, for the log.
std::vector<std::string> needs_restart(const gateway::GatewayConfig& a,
                                       const gateway::GatewayConfig& b) {
  std::vector<std::string> out;
  auto check = [&](bool same, const char* key) {
    if (!same) out.push_back(key);
  };
  check(a.listen_tcp == b.listen_tcp, "listen-tcp");
  check(a.listen_tls == b.listen_tls, "listen-tls");
  check(a.host == b.host, "host");
  check(a.rcc_uri_user == b.rcc_uri_user, "rcc-uri-user");
  check(a.session_timer == b.session_timer, "session-timer");
  check(a.max_connections == b.max_connections, "max-connections");
  check(a.max_sessions == b.max_sessions, "max-sessions");
  check(a.max_queued_events == b.max_queued_events, "max-queued-events");
  check(a.message_timeout == b.message_timeout, "message-timeout");
  check(a.idle_timeout == b.idle_timeout, "idle-timeout");
  check(a.metrics_listen == b.metrics_listen, "metrics-listen");
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& x : v)
    out += (out.empty() ? "" : ", ") + x;
  return out;
}

}  // namespace

int run(const Options& o) {
  if (o.status) return print_status(o);
  tool::setup_logging(o.common);
  if (o.common.verbosity == 0 && !o.common.quiet) spdlog::set_level(spdlog::level::info);
  if (util::systemd::stderr_is_journal()) {
    // Under systemd: straight to the journal, with SESSION/USER/LINE/NODE/CALL_ID fields.
    auto base = spdlog::default_logger();
    base->sinks().clear();
    base->sinks().push_back(util::systemd::journal_sink("rcc-gatewayd"));
  }
  auto log = util::logger("gateway");

  // --- configuration: everything is checked before anything listens ---
  net::io_context ioc;  // before the loads: an LDAP user source posts to it
  std::unique_ptr<Loaded> current = load(o, ioc.get_executor());
  if (o.check_config) {
    std::printf("%s: valid\n", current->config_name().c_str());
    return exit_code::kOk;
  }
  // The embedded simulator keeps the directory it started with (it is the call manager).
  const Loaded* first = current.get();
  std::vector<std::unique_ptr<Loaded>> kept;  // loads something still refers to
  const bool embedded = current->embedded;
  // What the sockets and the SIP layer were set up with: a reload cannot change it.
  const gateway::GatewayConfig start_gc = current->gc;
  const auto& gc = start_gc;

  // --- the CTI side ---
  // Signals are caught from here on (handled once the loop runs): a SIGTERM during start-up
  // still stops cleanly.
  net::signal_set stop_signals(ioc, SIGINT, SIGTERM);
  net::signal_set hup(ioc, SIGHUP);
  std::unique_ptr<ctisim::Server> sim;
  std::vector<cti::NodeAddress> sim_nodes;
  if (embedded) {
    ctisim::ServerOptions so;
    // The embedded node frames as [cti] says, so that the link and it agree.
    so.frame_limits.framing = first->cc.framing;
    so.frame_limits.length_includes_header = first->cc.length_includes_header;
    sim = std::make_unique<ctisim::Server>(ioc, *first->dir, so);
    auto bound = sim->listen(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    if (!bound) fail_runtime("embedded simulator: " + bound.error().message());
    auto control = sim->listen_control(tcp::endpoint(net::ip::make_address("127.0.0.1"), 0));
    if (!control) fail_runtime("embedded simulator control: " + control.error().message());
    sim_nodes.push_back({"127.0.0.1", std::to_string(bound->port())});
    log->info(
        "embedded default: no [cti] nodes configured, running the CTI simulator "
        "in-process on 127.0.0.1:{} with {} (control port 127.0.0.1:{})",
        bound->port(), current->dir_path, control->port());
    std::printf("cti 127.0.0.1:%u embedded\ncontrol 127.0.0.1:%u\n", bound->port(),
                control->port());
  }
  auto nodes_of = [&](const Loaded& l) { return embedded ? sim_nodes : l.cc.nodes; };
  cti::PoolTimings timings;
  timings.heartbeat_interval = current->cc.heartbeat_interval;
  timings.heartbeat_window = 2 * current->cc.heartbeat_interval + std::chrono::seconds(5);
  const auto start_nodes = nodes_of(*current);
  cti::NodePool pool(ioc, start_nodes, current->cc.link_options(start_nodes.front()), timings);
  auto pacing_of = [](const cti::CtiConfig& cc) {
    cti::NodePool::Pacing pacing;
    pacing.per_second = cc.requests_per_second;
    pacing.max_in_flight = cc.max_in_flight;
    return pacing;
  };
  pool.set_pacing(pacing_of(current->cc));
  gateway::PoolCti cti_side(pool);

  // --- the gateway and the SIP stack ---
  gateway::Gateway gw(*current->dir, *current->users, cti_side, settings_of(*current));
  bool ready = false;
  auto status_line = [&] {
    return "STATUS=" + std::to_string(gw.sessions().size()) + " session(s); " +
           std::to_string(pool.up_count()) + " of " +
           std::to_string(embedded ? 1 : current->cc.nodes.size()) + " CTI node(s) up";
  };
  std::vector<cti::NodeState> last(pool.size(), cti::NodeState::down);
  pool.on_change = [&](std::size_t node, cti::NodeState state) {
    if (last.size() < pool.size()) last.resize(pool.size(), cti::NodeState::down);
    const bool was_up = last[node] == cti::NodeState::up;
    last[node] = state;
    if (state == cti::NodeState::up && !was_up) gw.on_node_state(node, true);
    if (state != cti::NodeState::up && was_up) gw.on_node_state(node, false);
    if (state == cti::NodeState::up && !ready) {
      // Listeners are open (below, before the pool starts) and a node is up: serving.
      ready = true;
      util::systemd::notify("READY=1\n" + status_line());
    }
  };
  pool.on_event = [&](std::size_t node, const csta::Message& m) { gw.on_event(node, m); };

  const std::string advertised =
      !gc.host.empty() ? gc.host
                       : (current->tcp_at ? current->tcp_at->host : current->tls_at->host);
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
    if (current->acl->allows(address)) return true;
    auto& last_log = refused_logged[address];
    if (Clock::now() - last_log > std::chrono::minutes(1)) {
      last_log = Clock::now();
      log->warn("peer={} refused: not in the [gateway] acl (logged once a minute per peer)",
                address);
    }
    return false;
  };
  stack.admit = [&](const sip::Connection& c) {
    const auto& subjects = current->gc.tls_peer_subjects;
    if (!c.secure() || subjects.empty()) return true;
    for (const auto& name : c.peer_names())
      for (const auto& allowed : subjects)
        if (util::iequals(name, allowed)) return true;
    log->warn("peer={} refused: TLS subject '{}' is not in [gateway] tls-peer-subjects", c.peer(),
              c.peer_subject());
    return false;
  };
  sip::Stack::Identity id;
  if (current->tcp_at) {
    const auto& at = *current->tcp_at;
    auto port = stack.listen_tcp(at.host, std::uint16_t(std::stoi(at.port)));
    if (!port)
      fail_runtime("[gateway] listen-tcp " + gc.listen_tcp + ": " + port.error().message());
    id.tcp_sent_by = host_port(advertised, *port);
    id.tcp_contact = "sip:" + gc.rcc_uri_user + "@" + id.tcp_sent_by + ";transport=tcp";
    std::printf("sip tcp %s\n", host_port(at.host, *port).c_str());
  }
  if (current->tls_at) {
    const auto& at = *current->tls_at;
    auto port = stack.listen_tls(at.host, std::uint16_t(std::stoi(at.port)), gc.tls);
    if (!port)
      fail_runtime("[gateway] listen-tls " + gc.listen_tls + ": " + port.error().message());
    id.tls_sent_by = host_port(advertised, *port);
    id.tls_contact = "sip:" + gc.rcc_uri_user + "@" + id.tls_sent_by + ";transport=tls";
    std::printf("sip tls %s\n", host_port(at.host, *port).c_str());
    stack.replace_tls(current->tls_server, current->tls_client);
  }
  stack.set_identity(id);

  // --- the status endpoint: /metrics, /healthz, /sessions (read-only) ---
  const std::int64_t started = static_cast<std::int64_t>(std::time(nullptr));
  std::uint64_t reloads = 0, reloads_refused = 0;
  auto snapshot = [&] {
    gateway::StatusSnapshot s;
    s.gateway = &gw;
    s.dialogs = &stack.dialogs();
    for (std::size_t i = 0; i < pool.size(); ++i) {
      gateway::NodeStatus n;
      n.name = pool.address(i).name();
      n.state = cti::to_string(pool.state(i));
      if (auto rtt = pool.round_trip(i)) n.round_trip = double(rtt->count()) / 1e6;
      n.queued = pool.queued(i);
      s.nodes.push_back(std::move(n));
    }
    s.connections_tls = stack.tls_connection_count();
    s.connections_tcp = stack.connection_count() - s.connections_tls;
    s.version = RCC_VERSION;
    s.started = started;
    s.embedded = embedded;
    s.reloads = reloads;
    s.reloads_refused = reloads_refused;
    return s;
  };
  util::HttpServer http(ioc, [&](std::string_view path) -> util::HttpResponse {
    if (path == "/metrics")
      return {200, "text/plain; version=0.0.4; charset=utf-8", gateway::render_metrics(snapshot())};
    if (path == "/sessions")
      return {200, "application/json", gateway::render_sessions_json(snapshot())};
    if (path == "/healthz") {
      const auto s = snapshot();
      if (gateway::serving(s)) return {200, "text/plain; charset=utf-8", "ok\n"};
      return {503, "text/plain; charset=utf-8", "no CTI node is up\n"};
    }
    return {404, "text/plain; charset=utf-8", "not found: /metrics, /healthz, /sessions\n"};
  });
  if (current->http_at) {
    const auto& at = *current->http_at;
    auto bound = http.listen(at.host, std::uint16_t(std::stoi(at.port)));
    if (!bound) {
      if (gc.metrics_listen_set)
        fail_runtime("[gateway] metrics-listen " + gc.metrics_listen + ": " +
                     bound.error().message());
      // The default port taken (another gateway on this machine): serve SIP anyway.
      log->warn(
          "status endpoint off: the default metrics-listen {} is taken ({}); set "
          "[gateway] metrics-listen",
          gc.metrics_listen, bound.error().message());
    } else {
      std::printf("http %s\n", host_port(bound->address().to_string(), bound->port()).c_str());
    }
  }
  std::fflush(stdout);
  pool.start();
  log->info("rcc-gatewayd {} listening: {}{}{}; {} CTI node(s); server-type={} failover={}",
            RCC_VERSION, gc.listen_tcp.empty() ? "" : "tcp " + id.tcp_sent_by,
            gc.listen_tcp.empty() || gc.listen_tls.empty() ? "" : ", ",
            gc.listen_tls.empty() ? "" : "tls " + id.tls_sent_by, start_nodes.size(),
            gc.mode == gateway::ServerMode::lcs ? "lcs" : "ocs",
            gc.failover == gateway::Failover::reinvite ? "reinvite" : "transparent");

  // --- the service manager: status every few seconds, watchdog pings from this loop ---
  net::steady_timer status_timer(ioc);
  std::function<void()> report = [&] {
    if (ready) util::systemd::notify(status_line());
    status_timer.expires_after(std::chrono::seconds(5));
    status_timer.async_wait([&](boost::system::error_code ec) {
      if (!ec) report();
    });
  };
  report();
  net::steady_timer watchdog(ioc);
  const auto watchdog_every = util::systemd::watchdog_interval();
  std::function<void()> ping = [&] {
    util::systemd::notify("WATCHDOG=1");
    watchdog.expires_after(*watchdog_every / 2);
    watchdog.async_wait([&](boost::system::error_code ec) {
      if (!ec) ping();
    });
  };
  if (watchdog_every) ping();

  // --- SIGHUP: reload on a worker thread, applied here ---
  std::thread loader;
  bool reloading = false, again = false;
  std::function<void()> start_reload;
  auto configured = [&] {
    std::size_t n = 0;
    for (std::size_t i = 0; i < pool.size(); ++i)
      n += pool.state(i) != cti::NodeState::removed ? 1 : 0;
    return n;
  };
  auto apply = [&](std::unique_ptr<Loaded> next) {
    const auto restart = needs_restart(start_gc, next->gc);
    if (!restart.empty())
      log->warn("reload: {} changed; these take effect at the next restart", join(restart));
    if (next->tls_server) stack.replace_tls(next->tls_server, next->tls_client);
    std::size_t added = 0, removed = 0;
    if (!embedded) {
      const std::size_t slots = pool.size(), before = configured();
      pool.reconfigure(next->cc.nodes, next->cc.link_options(next->cc.nodes.front()));
      pool.set_pacing(pacing_of(next->cc));
      added = pool.size() - slots;
      removed = before + added - configured();
    }
    gw.reconfigure(*next->dir, *next->users, settings_of(*next));
    // The ACL and peer subjects are read through `current` by the stack's hooks.
    if (current.get() == first) {
      kept.push_back(std::move(current));  // the simulator's directory
      kept.back()->users.reset();          // not its users (an LDAP source holds a link)
    }
    current = std::move(next);
    ++reloads;
    log->info(
        "reload: applied {} ({} users, acl of {} entries, {} CTI node(s) added, {} removed{})",
        current->config_name(), current->dir->users().size(), current->gc.acl.size(), added,
        removed, current->tls_server ? ", TLS identity reloaded" : "");
  };
  auto finish_reload = [&](std::unique_ptr<Loaded> next, std::string error) {
    if (loader.joinable()) loader.join();
    reloading = false;
    if (next) {
      apply(std::move(next));
    } else {
      ++reloads_refused;
      log->error("reload refused: {}; the running configuration is kept", error);
    }
    util::systemd::notify("READY=1\n" +
                          (next ? status_line() : std::string("STATUS=reload refused: ") + error));
    if (again) {
      again = false;
      start_reload();
    }
  };
  start_reload = [&] {
    if (reloading) {
      again = true;
      return;
    }
    reloading = true;
    util::systemd::notify("RELOADING=1\nSTATUS=reloading the configuration");
    log->info("SIGHUP: reloading the configuration");
    loader = std::thread([&ioc, &o, &finish_reload, embedded] {
      std::unique_ptr<Loaded> next;
      std::string error;
      try {
        next = load(o, ioc.get_executor());
        if (next->embedded != embedded) {
          error = embedded
                      ? "[cti] nodes were added: leaving the embedded simulator needs a restart"
                      : "[cti] has no nodes any more: the embedded simulator needs a restart";
          next.reset();
        }
      } catch (const Exception& e) {
        error = e.error().message();
      } catch (const std::exception& e) {
        error = e.what();
      }
      net::post(ioc, [&finish_reload, n = std::move(next), error]() mutable {
        finish_reload(std::move(n), error);
      });
    });
  };
  std::function<void()> wait_hup = [&] {
    hup.async_wait([&](boost::system::error_code ec, int) {
      if (ec) return;
      start_reload();
      wait_hup();
    });
  };
  wait_hup();

  // --- SIGTERM: BYE every dialog, MonitorStop on the nodes, then stop ---
  net::steady_timer drain(ioc);
  stop_signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    util::systemd::notify("STOPPING=1\nSTATUS=stopping");
    log->info("signal {}: ending {} session(s), then stopping", sig, gw.sessions().size());
    http.stop();
    gw.end_all();  // BYE to every dialog, MonitorStop to the nodes
    drain.expires_after(std::chrono::milliseconds(500));
    drain.async_wait([&](boost::system::error_code) {
      pool.stop();
      drain.expires_after(std::chrono::milliseconds(500));
      drain.async_wait([&](boost::system::error_code) {
        stack.stop();
        if (sim) sim->close();
        hup.cancel();
        status_timer.cancel();
        watchdog.cancel();
        ioc.stop();
      });
    });
  });
  ioc.run();
  if (loader.joinable()) loader.join();
  log->info("stopped");
  return exit_code::kOk;
}

}  // namespace rcc::gatewayd
