#pragma once
// Users from Active Directory (or any LDAP server with the same attributes): a UserSource over
// OpenLDAP's client library. Configuration: [directory.ldap] (directory_config.h, man 5
// rcc-directory); attribute facts: docs/directory-ldap.md.
//
// Threading. The caller's thread (the gateway's io_context) never waits on the network: cached
// answers come back at once; anything else goes to one worker thread that owns the LDAP
// connection, and the answer is posted back to the executor given at construction. Every public
// function must be called on that executor's thread, except stats(), which any thread may call.
// While searches are outstanding the source holds outstanding work on the executor, so that
// io_context::run() returns only after their answers (a tool can call all_users() and run()).
//
// Counters (stats(), LdapStats below): for /metrics, e.g. rcc_ldap_searches_total,
// rcc_ldap_cache_hits_total, rcc_ldap_stale_served_total, rcc_ldap_servers{state="up"}.
//
// Lookups. A key (user ID, e-mail, sip: URI) is searched as (&FILTER(attribute=value)) with the
// value escaped (RFC 4515); when nothing matches, (attribute=value) alone tells "no such user"
// from "a user who is not an RCC user of this gateway" (the answer then says why: option flags,
// account disabled, another gateway's line server, no line). Two entries for one key, or
// (refuse-shared-lines) two RCC users with one line, make the user a bad entry.
//
// Cache. Users found are kept cache-ttl, "no such user" negative-ttl; concurrent lookups of one
// key wait for one search. When every server is down a cached user is served past its TTL (up
// to stale-max; one log line each, counted in stale_served), and anything not cached is refused
// at once with the last error: no lookup waits for a dead server's timeout. A user removed from
// the directory is refused once its entry's TTL has run out and a server answers.
//
// Servers. Tried in order; the worker stays on the one that answers until it fails. Connect,
// bind, StartTLS and each search have timeouts; after every server failed, the worker reconnects
// in the background with a backoff from 0.5 s doubling to reconnect-max (a refused bind waits
// reconnect-max each time: retrying a wrong password quickly would lock the service account).
// TLS: ldaps:// or StartTLS, the server certificate verified against ca-file and the URI's host
// name, TLS 1.2 at least.
//
// Bulk reads (all_users, and warming the cache at start) use the paged-results control
// (RFC 2696, page-size entries a page): AD returns at most 1,000 entries per search without it.

#include <boost/asio/any_io_executor.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <system_error>

#include "directory/directory_config.h"
#include "directory/user_source.h"

namespace rcc::directory {

/// How an LDAP lookup failed (the Error's detail says which server and what it said).
enum class LdapErrc {
  unavailable = 1,  ///< no server could be reached (connect refused, timed out, TLS failed)
  bind_refused,     ///< the server refused bind-dn and its password
  tls_failed,       ///< TLS could not be set up: certificate not trusted, name mismatch, version
  base_not_found,   ///< the search base does not exist on the server
  search_failed,    ///< the server refused or failed the search (filter, access, size limit)
  timeout,          ///< a search took longer than search-timeout
};
const std::error_category& ldap_category();
std::error_code make_error_code(LdapErrc e);

/// What the source has done since it started; a consistent-enough snapshot (each counter is
/// read on its own). Exported on /metrics by the daemon.
struct LdapStats {
  std::uint64_t lookups = 0;       ///< by_id / by_email / by_sip_uri calls
  std::uint64_t searches = 0;      ///< LDAP search requests sent (lookups, checks, each page)
  std::uint64_t cache_hits = 0;    ///< lookups answered from a fresh cache entry
  std::uint64_t coalesced = 0;     ///< lookups that waited for a search of the same key
  std::uint64_t stale_served = 0;  ///< cached users served past their TTL: no server could answer
  std::uint64_t not_found = 0;     ///< lookups answered "no such user"
  std::uint64_t errors = 0;        ///< lookups and bulk reads answered with an error
  std::uint64_t bulk_reads = 0;    ///< completed all_users reads (warm-up included)
  std::uint64_t connects = 0;      ///< successful connect + bind (the first one included)
  std::uint64_t connect_failures = 0;
  std::size_t servers_up = 0;     ///< servers whose last connect succeeded and that hold the link
  std::size_t servers_down = 0;   ///< servers whose last connect or search failed
  std::size_t cache_entries = 0;  ///< users and "no such user" answers cached now
  bool all_down = false;          ///< every server failed: lookups are answered from the cache
};

class LdapUserSource : public UserSource {
 public:
  /// Starts the worker thread, which connects (and warms the cache when warm_cache is set) once
  /// `ex`'s loop runs or the first lookup comes: --check-config, which never runs the loop, does
  /// not connect. `devices` (the directory file) gives each user's devices (ldap_entry.h,
  /// attach_devices). Both must outlive the source. May be constructed on any thread (a reload
  /// loads off the loop); everything else runs on `ex`'s thread.
  LdapUserSource(LdapConfig config, const Directory& devices, boost::asio::any_io_executor ex);
  /// Stops the worker without waiting for it more than 200 ms: a worker still in a search of a
  /// hung server ends on its own when the search times out, and posts nothing more. Callers
  /// still waiting get an error ("the LDAP user source was closed"), posted to `ex`.
  ~LdapUserSource() override;
  LdapUserSource(const LdapUserSource&) = delete;
  LdapUserSource& operator=(const LdapUserSource&) = delete;

  void by_id(std::string_view id, Done done) override;
  void by_email(std::string_view email, Done done) override;
  void by_sip_uri(std::string_view uri, Done done) override;
  /// Every RCC user (the filter's entries), read with paged results; refreshes the cache.
  void all_users(DoneAll done) override;

  LdapStats stats() const;

  struct Core;  // shared with the worker thread and with posted answers

 private:
  std::shared_ptr<Core> core_;
};

}  // namespace rcc::directory

template <>
struct std::is_error_code_enum<rcc::directory::LdapErrc> : std::true_type {};
