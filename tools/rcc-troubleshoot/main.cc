// rcc-troubleshoot: one user's RCC set-up checked end to end (configuration, TLS identity, the
// user and the device the gateway would choose, the OCS side, caller names, CTI), each check
// PASS, WARN or FAIL with its fix. Exit 0 all pass, 1 any FAIL (or WARN with --strict), 2 usage
// or input errors. Man: rcc-troubleshoot(1).

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>

#include "cti/probe.h"
#include "diag/exit_code.h"
#include "live.h"
#include "report.h"
#include "setup.h"
#include "tool_cli.h"
#include "user.h"

namespace {

using namespace rcc::troubleshoot;
using nlohmann::json;

struct Options {
  rcc::tool::CommonOptions common;
  std::string user;
  std::string ocs;
  std::string transport;
  double timeout = 5;
  bool all = false;
  bool json = false;
  bool strict = false;
  bool live = false;
  std::string dial;
};

[[noreturn]] void usage(const std::string& why) {
  throw rcc::Exception(rcc::Error(rcc::Errc::invalid_argument, why));
}

int exit_for(Status worst, bool strict) {
  if (worst == Status::fail || (strict && worst == Status::warn)) return rcc::exit_code::kFailure;
  return rcc::exit_code::kOk;
}

/// Registration asked over CTI (SnapshotDevice on the device's name, else its first line) of the
/// first node that passed its check; nobody to ask (embedded simulator, every node down): the
/// directory's flag.
AskRegistration cti_registration(const Setup& setup, const Report& setup_report, const Options& o) {
  std::optional<rcc::cti::NodeAddress> up;
  for (const auto& c : setup_report.checks())
    if (c.id == "cti-node" && c.status == Status::pass && !up)
      for (const auto& n : setup.cti.nodes)
        if (n.host + ":" + n.port == c.evidence.value("node", "")) up = n;
  if (!up) return [](const rcc::directory::Device&) { return Registration{}; };
  auto options = setup.cti.link_options(*up);
  options.application_id = "rcc-troubleshoot";
  const auto t = rcc::cti::Millis(std::int64_t(o.timeout * 1000));
  options.connect_timeout = options.request_timeout = options.frame_timeout = t;
  auto cache = std::make_shared<std::map<std::string, Registration>>();
  const std::string source = "asked CTI node " + up->host + ":" + up->port;
  return [options, cache, source](const rcc::directory::Device& d) {
    if (d.lines.empty()) return Registration{};
    if (auto it = cache->find(d.name); it != cache->end()) return it->second;
    // The device by name first, as the gateway asks (one device of a shared line); a node that
    // cannot answer that is asked about the device's first line.
    const std::string& dn = d.lines.front().dn;
    auto answer = rcc::cti::ask_registered(options, {d.name, dn});
    Registration r;
    const bool by_name = answer.registered.front().has_value();
    r.registered = by_name ? answer.registered.front() : answer.registered.back();
    r.source = source + ", SnapshotDevice " + (by_name ? d.name : dn);
    return (*cache)[d.name] = r;
  };
}

int run(const Options& o) {
  if (o.all == !o.user.empty()) usage("give USER or --all (one of them)");
  if (o.all && (o.live || !o.dial.empty())) usage("--live and --dial take one USER, not --all");
  SetupOptions so;
  so.config_path = o.common.config_path;
  so.ocs = o.ocs;
  so.transport = o.transport;
  so.timeout = o.timeout;
  Report setup_report;
  const auto t0 = std::chrono::steady_clock::now();
  Setup setup = check_setup(so, setup_report);

  boost::asio::io_context ioc;
  auto users = make_user_source(ioc, setup);
  // --all keeps to the directory's flags: one CTI request per user would pace a real node.
  AskRegistration ask =
      o.all ? AskRegistration([](const rcc::directory::Device&) { return Registration{}; })
            : cti_registration(setup, setup_report, o);
  const bool colour = !o.json && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;

  if (!o.all) {
    Report report = setup_report;
    std::optional<rcc::directory::User> user;
    if (!users) {
      report.skip("user-lookup", "no user source (see config)");
    } else {
      auto lookup = find_user(ioc, *users, o.user);
      user = lookup.user;
      check_user(setup, lookup, ask, report);
    }
    if (o.live || !o.dial.empty()) {
      LiveOptions lo;
      lo.user = o.user;
      lo.dial = o.dial;
      lo.timeout = o.timeout;
      check_live(setup, user, lo, report);
    }
    if (o.json) {
      json out = to_json(report);
      out["user"] = o.user;
      std::cout << dump(out) << '\n';
    } else {
      print(std::cout, report, colour);
      std::cout << summary(report) << '\n';
    }
    return exit_for(report.worst(), o.strict);
  }

  // --all: the set-up once, then every user; text shows the problems only.
  if (!users) usage("--all: no user source (the configuration has no loadable [directory] file)");
  std::optional<rcc::Result<std::vector<rcc::directory::User>>> all;
  users->all_users([&](rcc::Result<std::vector<rcc::directory::User>> r) { all = std::move(r); });
  while (!all && ioc.run_one() > 0) {
  }
  if (!all || !*all)
    usage("--all: the user source could not list its users" +
          (all ? ": " + all->error().message() : std::string()));
  Status worst = setup_report.worst();
  std::size_t broken = 0;
  json list = json::array();
  if (!o.json) print(std::cout, setup_report, colour);
  for (const auto& u : **all) {
    rcc::gateway::UserLookup lookup;
    lookup.user = u;
    Report r;
    check_user(setup, lookup, ask, r);
    const Status w = r.worst();
    if (w == Status::fail || w == Status::warn) ++broken;
    worst = worse(worst, w);
    if (o.json) {
      json j = to_json(r);
      j["user"] = u.id;
      list.push_back(std::move(j));
    } else {
      print(std::cout, r, colour, true, u.id + ": ");
    }
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (o.json) {
    json out = to_json(setup_report);
    out["users"] = list;
    out["result"] = status_name(worst);
    out["users_checked"] = (*all)->size();
    out["users_with_problems"] = broken;
    out["seconds"] = secs;
    std::cout << dump(out) << '\n';
  } else {
    char t[32];
    std::snprintf(t, sizeof t, "%.2f", secs);
    std::cout << "result: " << status_name(worst) << " (" << (*all)->size() << " users, " << broken
              << " with problems, " << t << " s)\n";
  }
  return exit_for(worst, o.strict);
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // the TLS probe writes to peers
  Options o;
  CLI::App app{"rcc-troubleshoot: check one user's RCC set-up end to end", "rcc-troubleshoot"};
  rcc::tool::add_common_options(app, o.common);
  app.add_option("user", o.user, "user ID, e-mail address or sip: URI of the user to check");
  app.add_option("--ocs", o.ocs,
                 "the OCS/Lync pool or server (HOST[:PORT]) as the gateway sees it");
  app.add_option("--transport", o.transport, "the transport the OCS static route uses")
      ->check(CLI::IsMember({"tcp", "tls"}));
  app.add_option("--timeout", o.timeout, "seconds for each network step")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 300.0));
  app.add_flag("--all", o.all, "check every user of the user source");
  app.add_flag("-j,--json", o.json, "print every check as JSON");
  app.add_flag("--strict", o.strict, "exit 1 on warnings too");
  app.add_flag("--live", o.live, "sign in to the running gateway as the OCS pool would");
  app.add_option("--dial", o.dial, "with --live: also call NUMBER and watch the events");
  return rcc::tool::run_main(app, argc, argv, [&] {
    rcc::tool::setup_logging(o.common);
    return run(o);
  });
}
