#pragma once
// The [cti] section of rcc.toml: which CTI manager nodes, as whom, how often, how patient.
// Read by rcc-ctiprobe and (later) rcc-gatewayd. Setup code: errors throw rcc::Exception with
// the key's file:line:column.
//
//   [cti]
//   nodes = ["cucm1.example.com:2748", "cucm2.example.com:2748"]   # 1 to 8, in this order
//   application-user = "rccgateway"
//   password-file = "cti-password"    # relative to this file's directory; one line
//   heartbeat-interval = 30           # seconds
//   connect-timeout = 5               # seconds
//   request-timeout = 10              # seconds
//   tls = false
//   tls-ca-file = "/etc/rcc/cti-ca.pem"
//   tls-server-name = "cucm.example.com"
//   framing = "annex-j"               # or "nul-terminated" (vendor variant, csta framing notes)
//   length-includes-header = true     # false for switches whose length counts the XML only
//   requests-per-second = 0           # per node; some call managers allow 2 call-control/s
//   max-in-flight = 32                # requests outstanding per node

#include <optional>
#include <string>
#include <vector>

#include "config/config.h"
#include "cti/link.h"

namespace rcc::cti {

struct CtiConfig {
  std::vector<NodeAddress> nodes;
  std::string application_user;
  std::string password;  ///< read from password-file
  Millis heartbeat_interval{30'000};
  Millis connect_timeout{5'000};
  Millis request_timeout{10'000};
  bool tls = false;
  std::string tls_ca_file;
  std::string tls_server_name;
  Framing framing = Framing::annex_j;  ///< framing = "annex-j" | "nul-terminated"
  bool length_includes_header = true;  ///< false: the header's length counts the body only
  double requests_per_second = 0;      ///< pacing per node; 0: none (NodePool::Pacing)
  std::size_t max_in_flight = 32;      ///< requests outstanding per node

  /// LinkOptions for `node` (TLS context built when tls is on; throws rcc::Exception if the
  /// CA file cannot be loaded).
  LinkOptions link_options(const NodeAddress& node) const;
};

/// Reads [cti] of `doc`; the password file is read here (relative to the config file).
CtiConfig load_cti_config(const config::Document& doc);

}  // namespace rcc::cti
