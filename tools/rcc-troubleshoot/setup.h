#pragma once
// The gateway's set-up as rcc-troubleshoot sees it: the configuration loaded with the library's
// loaders (the ones rcc-gatewayd uses), and the checks that do not depend on a user.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "cti/cti_config.h"
#include "directory/directory.h"
#include "rcc/acl.h"
#include "rcc/gateway_config.h"
#include "report.h"
#include "rules/rule_file.h"
#include "rules/rule_set.h"

namespace rcc::troubleshoot {

struct SetupOptions {
  std::string config_path;  ///< --config; empty: config::locate() decides
  std::string ocs;          ///< --ocs HOST[:PORT]; empty: no OCS-side checks
  std::string transport;    ///< --transport tcp|tls; empty: not said
  double timeout = 5;       ///< seconds for each network step
};

/// A loaded normalization rules file and its normalizer.
struct Rules {
  rules::RuleFile file;
  std::unique_ptr<rules::Normalizer> normalizer;
};

struct Setup {
  std::optional<config::Document> doc;
  bool config_ok = false;  ///< every section read; gateway and cti below are valid
  gateway::GatewayConfig gateway;
  cti::CtiConfig cti;
  bool embedded = false;  ///< no [cti] nodes: rcc-gatewayd runs its simulator in-process
  std::string directory_path;
  std::optional<directory::FileDirectory> directory;
  std::optional<gateway::Acl> acl;
  std::unique_ptr<Rules> company_rules;  ///< [normalize] rules: what the address book applies
  std::unique_ptr<Rules> inbound_rules;  ///< [gateway] inbound-rules
  const directory::ApplicationUser* application_user = nullptr;
};

/// Loads the configuration and runs the set-up checks: config, directory, rules, listener,
/// TLS identity, application user, OCS side (ACL, TLS subject, names), CTI nodes.
/// Throws rcc::Exception only for usage problems (an explicit --config that does not exist).
Setup check_setup(const SetupOptions& options, Report& report);

}  // namespace rcc::troubleshoot
