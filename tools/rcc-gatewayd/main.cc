// rcc-gatewayd: the uaCSTA gateway. OCS/Lync opens one SIP dialog per signed-in user; CSTA
// requests in INFOs become requests on CTI links to the call manager, and its events come back
// as INFOs. Man: rcc-gatewayd(8).

#include "daemon.h"

int main(int argc, char** argv) {
  rcc::gatewayd::Options o;
  CLI::App app{"rcc-gatewayd: the uaCSTA gateway between OCS/Lync and CTI call managers",
               "rcc-gatewayd"};
  rcc::tool::add_common_options(app, o.common);
  app.add_flag("--check-config", o.check_config,
               "validate the configuration and the files it names, then exit (0 valid, 2 not)");
  app.add_option("-d,--directory", o.directory,
                 "directory file (man 5 rcc-directory); overrides [directory] file")
      ->check(CLI::ExistingFile);
  auto* status = app.add_flag(
      "--status", o.status,
      "print the running daemon's sessions and CTI nodes (from its status endpoint, [gateway] "
      "metrics-listen) and exit: 0 serving, 1 not serving or not reachable");
  app.add_flag("--json", o.json, "with --status: the endpoint's JSON as it is")->needs(status);
  return rcc::tool::run_main(app, argc, argv, [&] { return rcc::gatewayd::run(o); });
}
