// rcc-ctiprobe: checks that every CTI manager node answers (connect, TLS, application session,
// one heartbeat, stop), as a monitoring plugin: one status line with perfdata, exit 0 OK,
// 1 WARNING, 2 CRITICAL, 3 UNKNOWN (the house style). Man: rcc-ctiprobe(1).

#include <iostream>

#include "config/config.h"
#include "cti/cti_config.h"
#include "cti/probe.h"
#include "output.h"
#include "tool_cli.h"
#include "util/file.h"

namespace {

using rcc::ctiprobe::State;

struct Options {
  rcc::tool::CommonOptions common;
  std::vector<std::string> nodes;
  std::string warning = "500";
  std::string critical = "2000";
  unsigned timeout = 10;
  std::string user;
  std::string password_file;
  bool json = false;
  std::string prometheus;
};

[[noreturn]] void unknown(const std::string& why) {
  throw rcc::Exception(rcc::Error(rcc::Errc::invalid_argument, why));
}

int run(const Options& o) {
  rcc::ctiprobe::Thresholds t;
  for (auto [text, slot, opt] :
       {std::tuple{&o.warning, &t.warning, "-w"}, std::tuple{&o.critical, &t.critical, "-c"}}) {
    if (text->empty()) continue;
    auto r = rcc::rules::Range::parse(*text);
    if (!r) unknown(std::string(opt) + " " + *text + ": " + r.error().detail());
    *slot = *r;
  }
  rcc::cti::CtiConfig cfg;
  if (auto path = rcc::config::locate(o.common.config_path)) {
    auto doc = rcc::config::load_file(*path);
    if (!doc) throw rcc::Exception(doc.error());
    cfg = rcc::cti::load_cti_config(*doc);
  }
  std::vector<rcc::cti::NodeAddress> nodes;
  for (const auto& n : o.nodes) {
    auto a = rcc::cti::parse_node_address(n);
    if (!a) unknown(a.error().detail());
    nodes.push_back(*a);
  }
  if (nodes.empty()) nodes = cfg.nodes;
  if (nodes.empty()) unknown("no nodes: give NODE... or [cti] nodes in the config");
  if (nodes.size() > 8) unknown("at most 8 nodes");
  if (!o.user.empty()) cfg.application_user = o.user;
  if (!o.password_file.empty()) {
    auto pw = rcc::util::read_file(o.password_file, 4096);
    if (!pw) unknown("--password-file: " + pw.error().message());
    std::string p = *pw;
    while (!p.empty() && (p.back() == '\n' || p.back() == '\r'))
      p.pop_back();
    cfg.password = p;
  }
  if (cfg.application_user.empty())
    unknown("no application user: --user or [cti] application-user in the config");
  auto base = cfg.link_options(nodes.front());
  base.application_id = "rcc-ctiprobe";
  base.connect_timeout = std::chrono::seconds(o.timeout);
  base.request_timeout = std::chrono::seconds(o.timeout);
  base.frame_timeout = std::chrono::seconds(o.timeout);
  auto results = rcc::cti::probe_all(nodes, base);
  auto verdict = rcc::ctiprobe::judge(results, t);
  if (!o.prometheus.empty()) {
    if (auto w = rcc::ctiprobe::write_prometheus(o.prometheus, results, verdict); !w)
      unknown("--prometheus: " + w.error().message());
  }
  std::cout << (o.json ? rcc::ctiprobe::json_report(results, verdict)
                       : rcc::ctiprobe::status_line(results, verdict, t))
            << std::endl;
  return int(verdict.state);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"rcc-ctiprobe: check that CTI manager nodes answer (monitoring plugin)",
               "rcc-ctiprobe"};
  rcc::tool::add_common_options(app, o.common, false);
  app.add_option("node", o.nodes, "HOST:PORT of each node (default: the config's [cti] nodes)");
  app.add_option("-w,--warning", o.warning, "heartbeat round trip range for WARNING, ms")
      ->capture_default_str();
  app.add_option("-c,--critical", o.critical, "heartbeat round trip range for CRITICAL, ms")
      ->capture_default_str();
  app.add_option("-t,--timeout", o.timeout, "seconds for connect and for each answer")
      ->capture_default_str()
      ->check(CLI::Range(1u, 300u));
  app.add_option("-u,--user", o.user, "application user (default: the config's)");
  app.add_option("--password-file", o.password_file, "file holding the password on one line")
      ->check(CLI::ExistingFile);
  app.add_flag("-j,--json", o.json, "print a JSON report instead of the status line");
  app.add_option("--prometheus", o.prometheus, "also write a textfile-collector file, atomically");
  bool ran = false;
  const int rc = rcc::tool::run_main(app, argc, argv, [&] {
    ran = true;
    rcc::tool::setup_logging(o.common);
    try {
      return run(o);
    } catch (const rcc::Exception& e) {
      // Our own failure (arguments, config): UNKNOWN, and the reason on the status line.
      std::cout << "CTI UNKNOWN - " << e.error().message() << std::endl;
      return int(State::unknown);
    }
  });
  // A usage error never reached run(): UNKNOWN as well (monitoring-plugins guidelines).
  if (!ran && rc == 2) return int(State::unknown);
  return rc;
}
