#pragma once
// The [directory] section of rcc.toml: where RCC users come from (every key: man 5
// rcc-directory, "LDAP USER SOURCE"; an annotated example: examples/rcc.toml).
//
//   [directory]
//   source = "ldap"                  # "file" (default) or "ldap"
//   file = "directory.toml"          # devices and the application user (users too with "file")
//   [directory.ldap]
//   servers = ["ldaps://dc1.example.com", "ldaps://dc2.example.com"]
//   bind-dn = "CN=svc-rcc,OU=Service Accounts,DC=example,DC=com"
//   bind-password-file = "ldap-password"
//   base = "DC=example,DC=com"
//   line-server = "sip:rcc-gw@gw.example.com"
//   ca-file = "/etc/rcc/ad-ca.pem"
//   [directory.ldap.attributes]     # AD's names by default
//   user-id = "sAMAccountName"
//
// Setup code: errors throw rcc::Exception with the key's file:line:column. Secrets come from files
// only (bind-password-file); paths are relative to the configuration file's directory.

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.h"

namespace rcc::directory {

/// Which attribute holds what (Active Directory's names by default).
struct LdapAttributes {
  std::string user_id = "sAMAccountName";
  std::string email = "mail";
  std::string sip_address = "msRTCSIP-PrimaryUserAddress";  ///< ocsPrimaryAddress
  std::string line = "msRTCSIP-Line";
  std::string line_server = "msRTCSIP-LineServer";
  std::string option_flags = "msRTCSIP-OptionFlags";  ///< bit 16: remote call control
  std::string user_enabled = "msRTCSIP-UserEnabled";
  std::string account_control = "userAccountControl";  ///< bit 2: account disabled
  std::string member_of = "memberOf";                  ///< for rcc-group
  std::string telephone_number = "telephoneNumber";
  std::string display_name = "displayName";
};

struct LdapConfig {
  /// ldap:// or ldaps:// URIs, tried in this order.
  std::vector<std::string> servers;
  std::string bind_dn;  ///< empty: an anonymous bind
  std::string bind_password;
  std::string base;  ///< the search base
  /// The filter that selects this gateway's RCC users; empty: default_filter() from the pieces
  /// below (effective_filter() gives the one in use).
  std::string filter;
  /// This gateway's msRTCSIP-LineServer value; needed by the default filter.
  std::string line_server;
  /// The DN of a group whose (direct) members are RCC users; empty: msRTCSIP-OptionFlags bit 16.
  std::string rcc_group;
  LdapAttributes attributes;
  bool start_tls = false;   ///< StartTLS on ldap:// URIs (ldaps:// is TLS from the start)
  std::string ca_file;      ///< CA certificates (PEM) that server certificates must chain to
  bool tls_min_13 = false;  ///< TLS 1.3 minimum instead of 1.2
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds search_timeout{5000};  ///< bind, StartTLS and each search
  std::chrono::milliseconds reconnect_max{30000};  ///< backoff from 0.5 s doubles up to this
  std::chrono::seconds cache_ttl{300};
  std::chrono::seconds negative_ttl{30};  ///< for "no such user"
  /// How long past its TTL a cached user may still be served while every server is down.
  std::chrono::seconds stale_max{86400};
  std::size_t cache_max_entries = 500'000;
  int page_size = 500;     ///< paged-results page (AD's MaxPageSize is 1000)
  bool warm_cache = true;  ///< read every RCC user at start (paged) into the cache
  /// Two RCC users with the same line value: refuse both (a hand-edited directory's mistake).
  bool refuse_shared_lines = true;

  /// The filter in use: `filter`, or the default one for the attribute map, `line_server` and
  /// `rcc_group`.
  std::string effective_filter() const;
  /// Whether a URI uses TLS (ldaps://, or ldap:// with start_tls).
  bool uses_tls() const;
};

enum class SourceKind { file, ldap };

struct DirectoryConfig {
  SourceKind source = SourceKind::file;
  std::string file;  ///< [directory] file; empty: the caller's default
  LdapConfig ldap;
  std::string config_path;  ///< the configuration file, for messages
};

/// Reads [directory] (and [directory.ldap], [directory.ldap.attributes]) of `doc`. Throws
/// rcc::Exception naming file:line:column and the key.
DirectoryConfig load_directory_config(const config::Document& doc);

/// The default RCC-user filter (docs/directory-ldap.md): enabled for OCS/Lync, remote call
/// control (option flags bit 16, or membership of `rcc_group`), a line, this gateway's line
/// server, and the account not disabled. Values are escaped (RFC 4515).
std::string default_filter(const LdapAttributes& a, const std::string& line_server,
                           const std::string& rcc_group);

}  // namespace rcc::directory
