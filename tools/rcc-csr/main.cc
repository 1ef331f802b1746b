// rcc-csr: the gateway's TLS identity, from key to verified chain: keys, certificate requests,
// inspection, checks against what OCS/Lync require, conversion, and a lab CA.
#include <csignal>

#include "commands.h"
#include "diag/exit_code.h"

int main(int argc, char** argv) {
  using namespace rcc::csr_tool;
  // --connect writes to peers that may hang up: a closed socket must be an error, not a signal.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "rcc-csr: keys, certificate requests and chain checks for the gateway's TLS "
      "identity",
      "rcc-csr"};
  rcc::tool::CommonOptions common;
  rcc::tool::add_common_options(app, common);
  // rcc-csr has no settings: everything it needs is on its command line, so a --config that
  // would be read and ignored is not offered.
  app.remove_option(app.get_option("--config"));
  app.require_subcommand(1);
  app.footer(
      "Exit status: 0 success (check: no FAIL), 1 a check failed, 2 usage error, unreadable or "
      "invalid input, or a peer that cannot be reached.");
  NewOptions new_options;
  ShowOptions show_options;
  CheckOptions check_options;
  ConvertOptions convert_options;
  CaOptions ca_options;
  auto* new_cmd = add_new(app, new_options);
  auto* show_cmd = add_show(app, show_options);
  auto* check_cmd = add_check(app, check_options);
  auto* convert_cmd = add_convert(app, convert_options);
  const auto ca = add_ca(app, ca_options);
  return rcc::tool::run_main(app, argc, argv, [&] {
    rcc::tool::setup_logging(common);
    if (new_cmd->parsed()) return run_new(new_options);
    if (show_cmd->parsed()) return run_show(show_options);
    if (check_cmd->parsed()) return run_check(check_options);
    if (convert_cmd->parsed()) return run_convert(convert_options);
    if (ca.init->parsed()) return run_ca_init(ca_options);
    if (ca.sign->parsed()) return run_ca_sign(ca_options);
    return rcc::exit_code::kUsage;
  });
}
