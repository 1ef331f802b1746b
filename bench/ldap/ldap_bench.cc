// The LDAP user source against a real slapd (tests/directory/slapd_fixture.h: the test schema,
// users.ldif and 5,000 generated users), beside ldapsearch doing the same searches in the same
// run:
//
//   cold      N distinct users looked up by user ID with the cache off (each lookup: the RCC
//             search and the shared-line check), all queued at once; ldapsearch -f runs the same
//             RCC search for the same N IDs over one connection.
//   cached    the same N lookups again on a source whose cache holds them.
//   bulk      every RCC user (5,009) read with paged results, page 500; ldapsearch -E pr=500 with
//             the same filter and attributes.
//
// Prints lookups a second, milliseconds, and the ratios. Run on a quiet machine; compare ratios.

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "directory/directory.h"
#include "directory/ldap_entry.h"
#include "directory/ldap_filter.h"
#include "directory/ldap_source.h"
#include "directory/slapd_fixture.h"

using namespace rcc::directory;
using rcc::test::Slapd;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kLookups = 2000;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

LdapConfig settings(const Slapd& s) {
  LdapConfig c;
  c.servers = {s.uri()};
  c.bind_dn = Slapd::kBindDn;
  c.bind_password = "reader-secret";
  c.base = Slapd::kBase;
  c.line_server = Slapd::kLineServer;
  c.warm_cache = false;
  return c;
}

std::string id(int i) {
  char b[16];
  std::snprintf(b, sizeof b, "user%05d", i);
  return b;
}

/// Looks up users 1..n all at once; returns the seconds until every answer came.
double lookups(boost::asio::io_context& ioc, LdapUserSource& src, int n) {
  int answered = 0, found = 0;
  const auto t0 = Clock::now();
  for (int i = 1; i <= n; ++i)
    src.by_id(id(i), [&](rcc::Result<std::optional<User>> r) {
      ++answered;
      if (r && *r) ++found;
    });
  while (answered < n) {
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(1));
  }
  const double s = seconds_since(t0);
  if (found != n) std::fprintf(stderr, "ldap_bench: only %d of %d users found\n", found, n);
  return s;
}

double run_timed(const std::string& command) {
  const auto t0 = Clock::now();
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "ldap_bench: failed: %s\n", command.c_str());
    std::exit(1);
  }
  return seconds_since(t0);
}

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (const char c : s)
    out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

int main() {
  setenv("RCC_TEST_DATA", RCC_SOURCE_DIR_DEFAULT "/tests/data", 0);
  setenv("RCC_BUILD_DIR", RCC_BUILD_DIR_DEFAULT, 0);
  std::printf("ldap_bench: starting slapd with 5,000 generated users...\n");
  std::fflush(stdout);
  Slapd slapd;
  auto dir = load_directory_file(RCC_SOURCE_DIR_DEFAULT "/tests/data/ldap/directory.toml");
  if (!dir) {
    std::fprintf(stderr, "%s\n", dir.error().message().c_str());
    return 1;
  }
  boost::asio::io_context ioc;
  const LdapConfig base = settings(slapd);
  const std::string filter = base.effective_filter();
  std::string attrs;
  for (const auto& a : requested_attributes(base.attributes))
    attrs += " " + a;
  const std::string ldapsearch = "ldapsearch -x -LLL -H " + slapd.uri() + " -D " +
                                 shell_quote(Slapd::kBindDn) + " -w reader-secret -b " +
                                 shell_quote(Slapd::kBase);

  // --- cold: no cache ---
  LdapConfig cold = base;
  cold.cache_ttl = std::chrono::seconds(0);
  cold.negative_ttl = std::chrono::seconds(0);
  double cold_s = 0, cold_noshared_s = 0;
  std::uint64_t cold_searches = 0;
  {
    LdapUserSource src(cold, *dir, ioc.get_executor());
    (void)lookups(ioc, src, 10);  // connect and bind first
    const auto before = src.stats().searches;
    cold_s = lookups(ioc, src, kLookups);
    cold_searches = src.stats().searches - before;
  }
  {
    LdapConfig c = cold;
    c.refuse_shared_lines = false;
    LdapUserSource src(c, *dir, ioc.get_executor());
    (void)lookups(ioc, src, 10);
    cold_noshared_s = lookups(ioc, src, kLookups);
  }
  // ldapsearch: the same RCC search for the same IDs, one connection.
  const std::string ids = slapd.dir() + "/bench-ids.txt";
  {
    std::ofstream f(ids);
    for (int i = 1; i <= kLookups; ++i)
      f << id(i) << "\n";
  }
  const std::string pattern = and_filter(filter, "(" + base.attributes.user_id + "=%s)");
  const double peer_lookup_s = run_timed(ldapsearch + " -f " + shell_quote(ids) + " " +
                                         shell_quote(pattern) + attrs + " >/dev/null");

  // --- cached ---
  double cached_s = 0;
  {
    LdapUserSource src(base, *dir, ioc.get_executor());
    (void)lookups(ioc, src, kLookups);  // fills the cache
    cached_s = lookups(ioc, src, kLookups);
  }

  // --- bulk: every RCC user, paged ---
  double bulk_s = 0;
  std::size_t bulk_users = 0;
  {
    LdapUserSource src(base, *dir, ioc.get_executor());
    (void)lookups(ioc, src, 1);
    std::optional<rcc::Result<std::vector<User>>> all;
    const auto t0 = Clock::now();
    src.all_users([&](rcc::Result<std::vector<User>> r) { all.emplace(std::move(r)); });
    while (!all) {
      ioc.restart();
      ioc.run_for(std::chrono::milliseconds(1));
    }
    bulk_s = seconds_since(t0);
    if (!*all) {
      std::fprintf(stderr, "ldap_bench: %s\n", all->error().message().c_str());
      return 1;
    }
    bulk_users = (*all)->size();
  }
  const double peer_bulk_s =
      run_timed(ldapsearch + " -E pr=500/noprompt " + shell_quote(filter) + attrs + " >/dev/null");

  std::printf("\n%-58s %12s %12s\n", "", "rcc", "ldapsearch");
  std::printf("%-58s %12.0f %12.0f\n", "cold lookups/s (RCC search + shared-line check)",
              kLookups / cold_s, kLookups / peer_lookup_s);
  std::printf("%-58s %12.0f %12s\n", "cold lookups/s (refuse-shared-lines = false)",
              kLookups / cold_noshared_s, "");
  std::printf("%-58s %12.0f %12s\n", "cached lookups/s", kLookups / cached_s, "");
  std::printf("%-58s %12.1f %12.1f\n", "bulk read of every RCC user, ms (paged, 500 a page)",
              bulk_s * 1000, peer_bulk_s * 1000);
  std::printf("\nsearches per cold lookup: %.2f; users read in bulk: %zu\n",
              double(cold_searches) / kLookups, bulk_users);
  std::printf("ratio cold (no shared-line check) / ldapsearch -f: %.2f\n",
              peer_lookup_s / cold_noshared_s);
  std::printf("ratio cached / cold: %.0fx\n", cold_s / cached_s);
  std::printf("ratio bulk ldapsearch / rcc: %.2f\n", peer_bulk_s / bulk_s);
  return 0;
}
