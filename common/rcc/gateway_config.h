#pragma once
// The [gateway] and [directory] sections of rcc.toml, as rcc-gatewayd reads them (every key:
// man rcc-gatewayd(8), CONFIGURATION; an annotated example: examples/rcc.toml). Setup code:
// errors throw rcc::Exception with the key's file:line:column. Secrets come from files only.

#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"
#include "directory/directory_config.h"
#include "rcc/gateway.h"
#include "sip/transport_tls.h"

namespace rcc::gateway {

struct GatewayConfig {
  std::string listen_tcp = "127.0.0.1:5060";  ///< HOST:PORT; empty: no TCP listener
  std::string listen_tls;                     ///< HOST:PORT; empty: no TLS listener
  std::string host;          ///< our address in Via and Contact; empty: the listen host
  std::string proxy_domain;  ///< the domain of the gateway's RCC URI
  std::string rcc_uri_user = "rcc-gw";
  std::vector<std::string> acl = {"127.0.0.1", "::1"};
  sip::TlsOptions tls;
  std::vector<std::string> tls_peer_subjects;  ///< CN or DNS SAN of admitted TLS peers; empty: any
  ServerMode mode = ServerMode::ocs;
  Failover failover = Failover::transparent;
  std::uint32_t session_timer = 1800;
  std::uint32_t retry_after = 30;
  std::size_t max_connections = 10'000;
  std::size_t max_sessions = 200'000;
  std::size_t max_queued_events = 64;
  std::size_t max_cti_backlog = 5'000;  ///< new sign-ins 503 while this many requests wait
  std::uint32_t message_timeout = 10;   ///< seconds for a begun SIP message to be complete
  std::uint32_t idle_timeout = 0;  ///< seconds a connection may be silent; 0: session-timer + 120
  /// The status endpoint (/metrics, /healthz, /sessions); empty: none.
  std::string metrics_listen = "127.0.0.1:9360";
  bool metrics_listen_set = false;  ///< given in the file (not the default)
  std::string outbound_rules;       ///< normalization rules file; empty: off
  std::string inbound_rules;
  std::string directory_file;            ///< [directory] file; empty: the embedded default's
  directory::DirectoryConfig directory;  ///< all of [directory] (source, file, ldap)
  std::string source;                    ///< the config file, for messages; empty: none
};

/// Reads [gateway] and [directory] of `doc` (paths relative to the file's directory).
GatewayConfig load_gateway_config(const config::Document& doc);

}  // namespace rcc::gateway
