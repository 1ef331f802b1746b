#include "directory/ldap_source.h"

#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include <ldap.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "directory/ldap_entry.h"
#include "directory/ldap_filter.h"
#include "util/log.h"
#include "util/text.h"

// Exported by libldap 2.5 (OPENLDAP_2.5) but declared only in its private ldap_pvt.h: releases a
// reference to a TLS context got with LDAP_OPT_X_TLS_CTX.
extern "C" void ldap_pvt_tls_ctx_free(void* ctx);

namespace rcc::directory {

namespace {

class LdapCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "ldap"; }
  std::string message(int ev) const override {
    switch (static_cast<LdapErrc>(ev)) {
      case LdapErrc::unavailable:
        return "LDAP server unavailable";
      case LdapErrc::bind_refused:
        return "LDAP bind refused";
      case LdapErrc::tls_failed:
        return "LDAP TLS failed";
      case LdapErrc::base_not_found:
        return "LDAP search base not found";
      case LdapErrc::search_failed:
        return "LDAP search failed";
      case LdapErrc::timeout:
        return "LDAP search timed out";
    }
    return "LDAP error";
  }
};

}  // namespace

const std::error_category& ldap_category() {
  static const LdapCategory c;
  return c;
}
std::error_code make_error_code(LdapErrc e) {
  return {static_cast<int>(e), ldap_category()};
}

namespace {

using Clock = std::chrono::steady_clock;
namespace net = boost::asio;

Error ldap_error(LdapErrc code, std::string detail) {
  return Error(make_error_code(code), std::move(detail));
}

/// Errors after which the link is not trusted any more: reconnect (another server) and retry.
bool link_failed(const Error& e) {
  return e.code() == LdapErrc::unavailable || e.code() == LdapErrc::tls_failed ||
         e.code() == LdapErrc::timeout || e.code() == LdapErrc::bind_refused;
}

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = util::ascii_lower(c);
  return out;
}

bool mentions_tls(std::string_view text) {
  const std::string l = lower(text);
  return l.find("tls") != std::string::npos || l.find("certificate") != std::string::npos ||
         l.find("ssl") != std::string::npos || l.find("handshake") != std::string::npos;
}

// libldap says why a TLS handshake failed (name mismatch, untrusted certificate) only in its
// debug log; the error it returns is "Can't contact LDAP server". The worker collects that log
// while it connects: a process-wide hook that keeps the lines of the thread that asked.
thread_local std::string* captured_log = nullptr;

void capture_log(const char* text) {
  if (captured_log && captured_log->size() < 65536) captured_log->append(text);
}

void install_log_hook() {
  static std::once_flag once;
  std::call_once(once, [] {
    ber_set_option(nullptr, LBER_OPT_LOG_PRINT_FN, reinterpret_cast<void*>(&capture_log));
  });
}

/// libldap's (process-wide) debug level is on while some worker connects, off otherwise: the
/// trace costs time on every call. The name mismatch is logged at LDAP_DEBUG_ANY, an untrusted
/// certificate at LDAP_DEBUG_TRACE; lines of other threads are dropped.
class CaptureWhileConnecting {
 public:
  explicit CaptureWhileConnecting(std::string& into) {
    install_log_hook();
    into.clear();
    captured_log = &into;
    std::lock_guard lk(m());
    if (users()++ == 0) set_level(0x0001);  // LDAP_DEBUG_TRACE (ldap_log.h is not installed)
  }
  ~CaptureWhileConnecting() {
    captured_log = nullptr;
    std::lock_guard lk(m());
    if (--users() == 0) set_level(0);
  }
  CaptureWhileConnecting(const CaptureWhileConnecting&) = delete;
  CaptureWhileConnecting& operator=(const CaptureWhileConnecting&) = delete;

 private:
  static std::mutex& m() {
    static std::mutex mu;
    return mu;
  }
  static int& users() {
    static int n = 0;
    return n;
  }
  static void set_level(int level) { ldap_set_option(nullptr, LDAP_OPT_DEBUG_LEVEL, &level); }
};

/// The first "TLS: ..." line of a captured log that says something ("can't connect" does not).
std::string tls_reason(const std::string& log) {
  std::size_t at = 0;
  while (at < log.size()) {
    std::size_t end = log.find('\n', at);
    if (end == std::string::npos) end = log.size();
    std::string line = log.substr(at, end - at);
    at = end + 1;
    if (line.rfind("TLS:", 0) == 0 && line.find("can't connect") == std::string::npos &&
        line.find("unknown error code") == std::string::npos) {
      while (!line.empty() && (line.back() == '.' || line.back() == ' '))
        line.pop_back();
      return line;
    }
  }
  return {};
}

struct SearchResult {
  std::vector<LdapEntry> entries;
  bool size_limited = false;
};

/// One LDAP link, used by the worker thread only (libldap's synchronous calls, with timeouts).
class Connection {
 public:
  explicit Connection(const LdapConfig& c) : c_(c) {}
  ~Connection() {
    close();
    if (tls_ctx_) ldap_pvt_tls_ctx_free(tls_ctx_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  bool open() const { return ld_ != nullptr; }
  const std::string& uri() const { return uri_; }

  void close() {
    if (ld_) ldap_unbind_ext_s(ld_, nullptr, nullptr);
    ld_ = nullptr;
  }

  Result<void> connect(const std::string& uri) {
    close();
    uri_ = uri;
    const CaptureWhileConnecting capture(log_);
    LDAP* ld = nullptr;
    if (ldap_initialize(&ld, uri.c_str()) != LDAP_SUCCESS || !ld)
      return ldap_error(LdapErrc::unavailable, uri + ": not a usable LDAP URI");
    ld_ = ld;
    const int v3 = LDAP_VERSION3;
    ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &v3);
    ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);  // AD's referrals: not followed
    ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON);
    const timeval connect = to_timeval(c_.connect_timeout);
    ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &connect);
    const timeval api = to_timeval(c_.search_timeout);
    ldap_set_option(ld, LDAP_OPT_TIMEOUT, &api);
    // A domain controller that vanishes without a RST is noticed by TCP keepalive too.
    const int idle = 60, probes = 3, interval = 10;
    ldap_set_option(ld, LDAP_OPT_X_KEEPALIVE_IDLE, &idle);
    ldap_set_option(ld, LDAP_OPT_X_KEEPALIVE_PROBES, &probes);
    ldap_set_option(ld, LDAP_OPT_X_KEEPALIVE_INTERVAL, &interval);
    const bool ldaps = util::istarts_with(uri, "ldaps://");
    connecting_tls_ = ldaps || c_.start_tls;
    struct Done {
      bool& flag;
      ~Done() { flag = false; }
    } done_connecting{connecting_tls_};
    if (ldaps || c_.start_tls) {
      // Per-handle settings: they override ldap.conf and ~/.ldaprc.
      const int hard = LDAP_OPT_X_TLS_HARD;  // verify the chain and the URI's host name
      ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &hard);
      if (tls_ctx_) {
        // Every connection of this source shares one TLS context, made once.
        if (ldap_set_option(ld, LDAP_OPT_X_TLS_CTX, tls_ctx_) != LDAP_OPT_SUCCESS)
          return fail_tls("the TLS context could not be set");
      } else {
        if (ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, c_.ca_file.c_str()) != LDAP_OPT_SUCCESS)
          return fail_tls("ca-file " + c_.ca_file + " not accepted");
        const int min =
            c_.tls_min_13 ? LDAP_OPT_X_TLS_PROTOCOL_TLS1_3 : LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
        ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min);
        if (tls_package() == "GnuTLS") {
          // libldap's GnuTLS back end (Debian's) ignores PROTOCOL_MIN: say it in GnuTLS's own
          // terms, a priority string. (libldap 2.5 then leaks its default priority, a few KB per
          // TLS context: hence one context for all connections.)
          const char* priority = c_.tls_min_13 ? "NORMAL:-VERS-ALL:+VERS-TLS1.3"
                                               : "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
          if (ldap_set_option(ld, LDAP_OPT_X_TLS_CIPHER_SUITE, priority) != LDAP_OPT_SUCCESS)
            return fail_tls("the TLS version settings were refused");
        }
        const int is_server = 0;
        if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server) != LDAP_OPT_SUCCESS)
          return fail_tls("the TLS context could not be made (ca-file " + c_.ca_file + ")");
        // A reference of our own (ldap_get_option counts it), released in the destructor.
        ldap_get_option(ld, LDAP_OPT_X_TLS_CTX, &tls_ctx_);
      }
    }
    if (c_.start_tls && !ldaps) {
      const int rc = ldap_start_tls_s(ld, nullptr, nullptr);
      if (rc != LDAP_SUCCESS) {
        auto e = classify(rc, "StartTLS");
        if (e.code() != LdapErrc::timeout) e = ldap_error(LdapErrc::tls_failed, e.detail());
        close();
        return e;
      }
    }
    berval cred{};
    cred.bv_val = const_cast<char*>(c_.bind_password.c_str());
    cred.bv_len = c_.bind_password.size();
    const int rc = ldap_sasl_bind_s(ld, c_.bind_dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr,
                                    nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
      auto e = classify(rc, c_.bind_dn.empty() ? "anonymous bind" : "bind as " + c_.bind_dn);
      close();
      return e;
    }
    return {};
  }

  /// A subtree search under the base; `size_limit` 0: the server's. Entries are taken as they
  /// arrive (ldap_result, one message at a time), the whole search bounded by search-timeout.
  Result<SearchResult> search(const std::string& filter, const std::vector<std::string>& attrs,
                              int size_limit, LDAPControl** controls = nullptr,
                              std::string* cookie = nullptr) {
    if (!ld_) return ldap_error(LdapErrc::unavailable, "not connected");
    std::vector<char*> names;
    for (const auto& a : attrs)
      names.push_back(const_cast<char*>(a.c_str()));
    names.push_back(nullptr);
    timeval limit = to_timeval(c_.search_timeout);  // the server's time limit too
    int msgid = 0;
    int rc = ldap_search_ext(ld_, c_.base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(), names.data(),
                             0, controls, nullptr, &limit, size_limit, &msgid);
    if (rc != LDAP_SUCCESS) return classify(rc, "search " + filter);
    const auto deadline = Clock::now() + c_.search_timeout;
    SearchResult out;
    for (;;) {
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) {
        ldap_abandon_ext(ld_, msgid, nullptr, nullptr);
        return classify(LDAP_TIMEOUT, "search " + filter);
      }
      timeval wait = to_timeval(left);
      LDAPMessage* msg = nullptr;
      const int type = ldap_result(ld_, msgid, LDAP_MSG_ONE, &wait, &msg);
      if (type == 0) continue;  // the deadline check above ends it
      if (type < 0) {
        int err = LDAP_SERVER_DOWN;
        ldap_get_option(ld_, LDAP_OPT_RESULT_CODE, &err);
        return classify(err, "search " + filter);
      }
      if (type == LDAP_RES_SEARCH_ENTRY) {
        out.entries.push_back(entry(msg));
        ldap_msgfree(msg);
        continue;
      }
      if (type != LDAP_RES_SEARCH_RESULT) {  // a continuation reference: not followed
        ldap_msgfree(msg);
        continue;
      }
      int err = LDAP_OTHER;
      LDAPControl** returned = nullptr;
      rc = ldap_parse_result(ld_, msg, &err, nullptr, nullptr, nullptr, &returned, 1);
      if (rc != LDAP_SUCCESS) err = rc;
      if (cookie) {
        cookie->clear();
        if (LDAPControl* page = ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, returned, nullptr)) {
          ber_int_t estimate = 0;
          berval next{};
          if (ldap_parse_pageresponse_control(ld_, page, &estimate, &next) == LDAP_SUCCESS) {
            if (next.bv_val) cookie->assign(next.bv_val, next.bv_len);
            ber_memfree(next.bv_val);
          }
          paged_answer_ = true;
        }
      }
      if (returned) ldap_controls_free(returned);
      if (err == LDAP_NO_SUCH_OBJECT)
        return ldap_error(LdapErrc::base_not_found, uri_ + ": search base '" + c_.base +
                                                        "' not found ([directory.ldap] base)");
      if (err != LDAP_SUCCESS && err != LDAP_SIZELIMIT_EXCEEDED)
        return classify(err, "search " + filter);
      out.size_limited = err == LDAP_SIZELIMIT_EXCEEDED;
      return out;
    }
  }

  /// Every entry of `filter`, page by page (RFC 2696); `between` runs after each page.
  Result<std::vector<LdapEntry>> paged(const std::string& filter,
                                       const std::vector<std::string>& attrs, int page_size,
                                       std::uint64_t& searches,
                                       const std::function<void()>& between) {
    std::vector<LdapEntry> all;
    std::string cookie;
    do {
      berval value{};
      value.bv_val = cookie.empty() ? nullptr : cookie.data();
      value.bv_len = cookie.size();
      LDAPControl* page = nullptr;
      if (ldap_create_page_control(ld_, page_size, &value, 0, &page) != LDAP_SUCCESS)
        return ldap_error(LdapErrc::search_failed,
                          uri_ + ": cannot encode the paged-results control");
      LDAPControl* controls[] = {page, nullptr};
      paged_answer_ = false;
      auto r = search(filter, attrs, 0, controls, &cookie);
      ldap_control_free(page);
      ++searches;
      if (!r) return r.error();
      if (r->size_limited)
        return ldap_error(
            LdapErrc::search_failed,
            uri_ + ": the server stopped at " + std::to_string(all.size() + r->entries.size()) +
                " entries (size limit)" + (paged_answer_ ? "" : " and does not page (RFC 2696)"));
      for (auto& e : r->entries)
        all.push_back(std::move(e));
      if (between && !cookie.empty()) between();
    } while (!cookie.empty());
    return all;
  }

 private:
  /// "GnuTLS" or "OpenSSL": which TLS library libldap was built with.
  static std::string tls_package() {
    static const std::string package = [] {
      char* name = nullptr;
      std::string out;
      if (ldap_get_option(nullptr, LDAP_OPT_X_TLS_PACKAGE, &name) == LDAP_OPT_SUCCESS && name) {
        out = name;
        ldap_memfree(name);
      }
      return out;
    }();
    return package;
  }

  Error fail_tls(const std::string& what) {
    close();
    return ldap_error(LdapErrc::tls_failed, uri_ + ": " + what);
  }

  std::string diagnostic() const {
    char* msg = nullptr;
    if (ldap_get_option(ld_, LDAP_OPT_DIAGNOSTIC_MESSAGE, &msg) != LDAP_OPT_SUCCESS || !msg)
      return {};
    std::string out(msg);
    ldap_memfree(msg);
    return out;
  }

  Error classify(int rc, const std::string& what) const {
    std::string diag = ld_ ? diagnostic() : std::string();
    if (diag == "(unknown error code)" || diag == ldap_err2string(rc)) diag.clear();
    const std::string tls = tls_reason(log_);
    if (!tls.empty()) diag = tls;
    std::string text = uri_ + ": " + what + ": " + ldap_err2string(rc);
    if (!diag.empty()) text += " (" + diag + ")";
    if (!tls.empty()) {
      text = uri_ + ": " + (what == "StartTLS" ? "StartTLS: " : "") +
             "TLS handshake failed: " + tls.substr(5);
      if (tls.find("untrusted") != std::string::npos)
        text += " (the server's certificate does not chain to ca-file " + c_.ca_file + ")";
    }
    switch (rc) {
      case LDAP_INVALID_CREDENTIALS:
        return ldap_error(LdapErrc::bind_refused, text + "; check bind-dn and bind-password-file");
      case LDAP_TIMEOUT:
      case LDAP_TIMELIMIT_EXCEEDED:
        return ldap_error(LdapErrc::timeout, text);
      case LDAP_SERVER_DOWN:
      case LDAP_CONNECT_ERROR:
      case LDAP_UNAVAILABLE:
      case LDAP_BUSY: {
        // Before the bind completes on a TLS link, a diagnostic is the TLS library's.
        const bool handshake = connecting_tls_ && !diag.empty();
        if (handshake && (diag.find("non-properly terminated") != std::string::npos ||
                          diag.find("unsupported version") != std::string::npos))
          text += std::string("; no TLS version in common? (tls-min-version is ") +
                  (c_.tls_min_13 ? "1.3" : "1.2") + ")";
        return ldap_error(!tls.empty() || handshake || mentions_tls(diag) ? LdapErrc::tls_failed
                                                                          : LdapErrc::unavailable,
                          text);
      }
      default:
        return ldap_error(LdapErrc::search_failed, text);
    }
  }

  /// One entry, read straight off its BER (as ldapsearch does: no search per attribute).
  LdapEntry entry(LDAPMessage* m) const {
    LdapEntry e;
    BerElement* ber = nullptr;
    berval name{};
    if (ldap_get_dn_ber(ld_, m, &ber, &name) != LDAP_SUCCESS) {
      if (ber) ber_free(ber, 0);
      return e;
    }
    e.dn.assign(name.bv_val, name.bv_len);
    berval* vals = nullptr;
    while (ldap_get_attribute_ber(ld_, m, ber, &name, &vals) == LDAP_SUCCESS && name.bv_val) {
      std::vector<std::string> values;
      if (vals) {
        for (berval* v = vals; v->bv_val; ++v)
          values.emplace_back(v->bv_val, v->bv_len);
        ber_memfree(vals);
        vals = nullptr;
      }
      e.attributes.emplace_back(std::string(name.bv_val, name.bv_len), std::move(values));
    }
    if (ber) ber_free(ber, 0);
    return e;
  }

  const LdapConfig& c_;
  LDAP* ld_ = nullptr;
  std::string uri_;
  std::string log_;              ///< libldap's log while connecting (TLS reasons)
  void* tls_ctx_ = nullptr;      ///< the TLS context all connections share (counted reference)
  bool connecting_tls_ = false;  ///< inside connect() on a TLS link
  bool paged_answer_ = false;
};

enum class KeyKind : char { id = 'i', email = 'e', sip = 's' };

std::string cache_key(KeyKind k, std::string_view value) {
  return std::string(1, static_cast<char>(k)) + lower(value);
}

struct CacheEntry {
  std::optional<User> user;  ///< nullopt: no such user
  Clock::time_point expires;
};

struct Job {
  enum class Kind { lookup, bulk } kind = Kind::lookup;
  KeyKind key_kind = KeyKind::id;
  std::string key;
  bool warm = false;       ///< the start-up read: no caller
  std::uint64_t bulk = 0;  ///< which all_users() call (Core::bulk_waiting)
};

}  // namespace

struct LdapUserSource::Core : std::enable_shared_from_this<LdapUserSource::Core> {
  Core(LdapConfig config, const Directory& d, net::any_io_executor e)
      : c(std::move(config)),
        devices(&d),
        ex(std::move(e)),
        filter(c.effective_filter()),
        attrs(requested_attributes(c.attributes)),
        log(util::logger("directory")),
        state(c.servers.size(), 0) {}

  const LdapConfig c;
  const Directory* devices;
  net::any_io_executor ex;
  const std::string filter;
  const std::vector<std::string> attrs;
  std::shared_ptr<spdlog::logger> log;

  // --- shared with the worker ---
  std::mutex m;
  std::condition_variable cv;
  std::deque<Job> lookups_queued, bulk_queued;
  bool started = false;  ///< the worker waits for the loop to run (or the first lookup)
  bool stop = false;     ///< set by the destructor: the worker posts nothing more
  bool exited = false;   ///< the worker has returned
  std::condition_variable exited_cv;
  std::thread worker;
  std::atomic<bool> all_down{false};
  mutable std::mutex state_m;
  std::vector<int> state;  ///< per server: 0 not tried, 1 up, 2 down
  std::optional<Error> down_error;

  std::atomic<std::uint64_t> n_lookups{0}, n_searches{0}, n_hits{0}, n_coalesced{0}, n_stale{0},
      n_not_found{0}, n_errors{0}, n_bulk{0}, n_connects{0}, n_connect_failures{0};
  std::atomic<std::size_t> n_cache{0};

  // --- the executor's thread only ---
  std::atomic<bool> closed{false};
  std::unordered_map<std::string, CacheEntry> cache;
  std::unordered_map<std::string, std::vector<Done>> pending;
  std::map<std::uint64_t, DoneAll> bulk_waiting;
  std::uint64_t next_bulk = 1;
  /// Searches queued and not answered yet; while there are some, `work_guard` (outstanding
  /// work) keeps the caller's io_context::run() from returning before the answers come.
  std::size_t outstanding = 0;
  std::optional<net::any_io_executor> work_guard;

  void hold() {
    if (outstanding++ == 0) work_guard = net::prefer(ex, net::execution::outstanding_work.tracked);
  }
  void release() {
    if (outstanding > 0 && --outstanding == 0) work_guard.reset();
  }
  void start() {
    {
      std::lock_guard lk(m);
      if (started) return;
      started = true;
    }
    cv.notify_one();
  }

  const std::string& attribute(KeyKind k) const {
    switch (k) {
      case KeyKind::email:
        return c.attributes.email;
      case KeyKind::sip:
        return c.attributes.sip_address;
      case KeyKind::id:
        break;
    }
    return c.attributes.user_id;
  }

  Error unavailable() const {
    std::lock_guard lk(state_m);
    return down_error ? *down_error
                      : ldap_error(LdapErrc::unavailable, "every LDAP server is down");
  }

  void set_state(std::size_t server, int s) {
    std::lock_guard lk(state_m);
    state[server] = s;
  }

  // ---------------- executor side ----------------

  void deliver(const Done& done, std::optional<User> user) {
    if (user) attach_devices(*user, *devices);
    done(std::move(user));
  }

  void store(const std::string& key, std::optional<User> user, Clock::time_point now) {
    const auto ttl = user ? c.cache_ttl : c.negative_ttl;
    if (ttl.count() == 0) return;
    if (cache.size() >= c.cache_max_entries && !cache.count(key)) {
      // Full: drop what is past its use (expired negatives, positives past stale-max), then
      // every negative answer, then everything.
      for (auto it = cache.begin(); it != cache.end();)
        it = (it->second.user ? it->second.expires + c.stale_max : it->second.expires) < now
                 ? cache.erase(it)
                 : std::next(it);
      if (cache.size() >= c.cache_max_entries)
        for (auto it = cache.begin(); it != cache.end();)
          it = it->second.user ? std::next(it) : cache.erase(it);
      if (cache.size() >= c.cache_max_entries) cache.clear();
    }
    cache[key] = CacheEntry{std::move(user), now + ttl};
    n_cache = cache.size();
  }

  /// A cached user past its TTL that may still be served (every server down): logs and counts.
  bool serve_stale(const std::string& key, const std::vector<Done>& waiting, const Error& why,
                   Clock::time_point now) {
    const auto it = cache.find(key);
    if (it == cache.end() || !it->second.user || now - it->second.expires > c.stale_max)
      return false;
    const auto stale_by =
        std::chrono::duration_cast<std::chrono::seconds>(now - it->second.expires).count();
    log->warn(
        "directory: serving cached user {} ({} s past its TTL): the directory cannot answer: {}",
        util::printable(it->second.user->id), stale_by, why.message());
    const User user = *it->second.user;
    n_stale += waiting.size();
    for (const auto& d : waiting)
      deliver(d, user);
    return true;
  }

  void lookup(KeyKind k, std::string_view value, Done done) {
    ++n_lookups;
    if (value.empty()) {
      ++n_not_found;
      return done(std::optional<User>());
    }
    const std::string key = cache_key(k, value);
    const auto now = Clock::now();
    if (const auto it = cache.find(key); it != cache.end() && now < it->second.expires) {
      ++n_hits;
      if (!it->second.user) {
        ++n_not_found;
        return done(std::optional<User>());
      }
      return deliver(done, *it->second.user);
    }
    if (const auto p = pending.find(key); p != pending.end()) {
      ++n_coalesced;
      p->second.push_back(std::move(done));
      return;
    }
    if (all_down) {
      // Nothing to wait for: the worker reconnects in the background.
      const Error why = unavailable();
      if (serve_stale(key, {done}, why, now)) return;
      ++n_errors;
      return done(why);
    }
    pending[key].push_back(std::move(done));
    hold();
    start();
    Job job;
    job.kind = Job::Kind::lookup;
    job.key_kind = k;
    job.key = std::string(value);
    {
      std::lock_guard lk(m);
      lookups_queued.push_back(std::move(job));
    }
    cv.notify_one();
  }

  void finish_lookup(const std::string& key, Result<std::optional<User>> r) {
    if (closed) return;
    release();
    auto node = pending.extract(key);
    std::vector<Done> waiting;
    if (!node.empty()) waiting = std::move(node.mapped());
    const auto now = Clock::now();
    if (!r) {
      if (serve_stale(key, waiting, r.error(), now)) return;
      n_errors += waiting.size();
      for (const auto& d : waiting)
        d(r.error());
      return;
    }
    store(key, *r, now);
    if (!*r) n_not_found += waiting.size();
    for (const auto& d : waiting)
      deliver(d, *r);
  }

  void all_users(DoneAll done) {
    Job job;
    job.kind = Job::Kind::bulk;
    job.bulk = next_bulk++;
    bulk_waiting[job.bulk] = std::move(done);
    hold();
    start();
    {
      std::lock_guard lk(m);
      bulk_queued.push_back(std::move(job));
    }
    cv.notify_one();
  }

  void finish_bulk(Result<std::vector<User>> r, std::uint64_t bulk, bool warm) {
    if (closed) return;
    DoneAll done;
    if (!warm) {
      auto node = bulk_waiting.extract(bulk);
      if (!node.empty()) done = std::move(node.mapped());
      release();
    }
    if (!r) {
      ++n_errors;
      log->warn("directory: {}: {}", warm ? "cache warm-up failed" : "bulk read failed",
                r.error().message());
      if (done) done(r.error());
      return;
    }
    ++n_bulk;
    // Every RCC user under each of its keys; a key two users share is left to lookups (which
    // report the conflict).
    const auto now = Clock::now();
    std::map<std::string, int> uses;
    const auto keys = [](const User& u) {
      std::vector<std::string> k{cache_key(KeyKind::id, u.id)};
      if (!u.email.empty()) k.push_back(cache_key(KeyKind::email, u.email));
      if (!u.ocs_primary_address.empty())
        k.push_back(cache_key(KeyKind::sip, u.ocs_primary_address));
      return k;
    };
    for (const auto& u : *r)
      for (const auto& k : keys(u))
        ++uses[k];
    for (const auto& u : *r)
      for (const auto& k : keys(u)) {
        if (uses[k] == 1)
          store(k, u, now);
        else
          cache.erase(k);
      }
    n_cache = cache.size();
    if (warm) log->info("directory: cache warmed with {} RCC user(s) from LDAP", r->size());
    if (!done) return;
    std::vector<User> out = std::move(*r);
    for (auto& u : out)
      attach_devices(u, *devices);
    done(std::move(out));
  }

  // ---------------- worker side ----------------

  /// Connects to the first server that answers, in order.
  Result<void> connect_any(Connection& conn) {
    std::string failures;
    std::optional<LdapErrc> common;  ///< the failures' code when they all had the same
    bool mixed = false;
    for (std::size_t i = 0; i < c.servers.size(); ++i) {
      auto r = conn.connect(c.servers[i]);
      if (r) {
        ++n_connects;
        set_state(i, 1);
        current = i;
        log->info("directory: connected to {}{}{}", c.servers[i],
                  c.bind_dn.empty() ? " (anonymous)" : " as " + c.bind_dn,
                  util::istarts_with(c.servers[i], "ldaps://") ? " over TLS"
                  : c.start_tls                                ? " with StartTLS"
                                                               : "");
        if (!c.uses_tls() && !c.bind_dn.empty())
          log->warn(
              "directory: {}: the bind password goes over the network in clear (use "
              "ldaps:// or start-tls)",
              c.servers[i]);
        return {};
      }
      ++n_connect_failures;
      set_state(i, 2);
      const auto code = static_cast<LdapErrc>(r.error().code().value());
      if (common && *common != code) mixed = true;
      common = code;
      log->warn("directory: {}", r.error().message());
      failures += (failures.empty() ? "" : "; ") + r.error().message();
    }
    const LdapErrc code = mixed || !common ? LdapErrc::unavailable : *common;
    return ldap_error(code, (c.servers.size() > 1 ? "every LDAP server is down: " : "") + failures);
  }

  void went_down(const Error& why, std::chrono::milliseconds& backoff,
                 Clock::time_point& retry_at) {
    const bool was_down = all_down.exchange(true);
    {
      std::lock_guard lk(state_m);
      down_error = why;
    }
    // A refused bind is not retried quickly: each attempt counts towards the account's lockout.
    const auto wait = why.code() == LdapErrc::bind_refused ? c.reconnect_max : backoff;
    retry_at = Clock::now() + wait;
    backoff = std::min(backoff * 2, c.reconnect_max);
    if (!was_down)
      log->error(
          "directory: every LDAP server is down; sign-ins of users not cached are refused "
          "until one answers (retrying in the background): {}",
          why.message());
  }

  Result<std::optional<User>> search_user(Connection& conn, KeyKind k, const std::string& key) {
    const std::string& attr = attribute(k);
    ++n_searches;
    auto found = conn.search(and_filter(filter, equality_filter(attr, key)), attrs, 10);
    if (!found) return found.error();
    auto& entries = found->entries;
    if (entries.size() > 1) {
      User u = user_from_entry(entries.front(), c, true);
      u.problem = User::Problem::bad_entry;
      u.problem_detail = attr + " '" + util::printable(key) + "' is on " +
                         std::to_string(entries.size()) + (found->size_limited ? "+" : "") +
                         " RCC users:";
      for (const auto& e : entries)
        u.problem_detail += " " + e.dn + (&e == &entries.back() ? "" : ";");
      return std::optional<User>(std::move(u));
    }
    if (entries.size() == 1) {
      User u = user_from_entry(entries.front(), c, true);
      if (c.refuse_shared_lines && u.problem == User::Problem::none && !u.line_uri.empty()) {
        ++n_searches;
        auto same = conn.search(and_filter(filter, equality_filter(c.attributes.line, u.line_uri)),
                                {"1.1"}, 3);
        if (!same) return same.error();
        for (const auto& e : same->entries)
          if (!same_dn(e.dn, u.dn)) {
            u.problem = User::Problem::bad_entry;
            u.problem_detail = u.dn + ": " + c.attributes.line + " '" + u.line_uri +
                               "' is also the line of " + e.dn +
                               " (two RCC users with one line: give each its own, or set "
                               "refuse-shared-lines = false)";
            break;
          }
      }
      return std::optional<User>(std::move(u));
    }
    // Not an RCC user of this gateway: is there such a user at all?
    ++n_searches;
    auto any = conn.search(equality_filter(attr, key), attrs, 2);
    if (!any) return any.error();
    if (any->entries.empty()) return std::optional<User>();
    return std::optional<User>(user_from_entry(any->entries.front(), c, false));
  }

  Result<std::vector<User>> read_all(Connection& conn, const std::function<void()>& between) {
    std::uint64_t pages = 0;
    auto entries = conn.paged(filter, attrs, c.page_size, pages, between);
    n_searches += pages;
    if (!entries) return entries.error();
    std::vector<User> users;
    users.reserve(entries->size());
    std::map<std::string, std::vector<std::size_t>> by_line;
    for (const auto& e : *entries) {
      users.push_back(user_from_entry(e, c, true));
      if (!users.back().line_uri.empty())
        by_line[lower(users.back().line_uri)].push_back(users.size() - 1);
    }
    if (c.refuse_shared_lines)
      for (const auto& [line, owners] : by_line) {
        if (owners.size() < 2) continue;
        for (const std::size_t i : owners) {
          User& u = users[i];
          if (u.problem != User::Problem::none) continue;
          std::string others;
          for (const std::size_t j : owners)
            if (j != i) others += (others.empty() ? "" : ", ") + users[j].dn;
          u.problem = User::Problem::bad_entry;
          u.problem_detail = u.dn + ": " + c.attributes.line + " '" + u.line_uri +
                             "' is also the line of " + others + " (two RCC users with one line)";
        }
      }
    return users;
  }

  // Answers go to the executor unless the source is closed (its io_context may be gone then).
  void post_lookup(const Job& job, Result<std::optional<User>> r) {
    auto self = shared_from_this();
    std::lock_guard lk(m);
    if (stop) return;
    net::post(ex, [self, key = cache_key(job.key_kind, job.key), r = std::move(r)]() mutable {
      self->finish_lookup(key, std::move(r));
    });
  }

  void post_bulk(const Job& job, Result<std::vector<User>> r) {
    auto self = shared_from_this();
    std::lock_guard lk(m);
    if (stop) return;
    net::post(ex, [self, r = std::move(r), bulk = job.bulk, warm = job.warm]() mutable {
      self->finish_bulk(std::move(r), bulk, warm);
    });
  }

  std::size_t current = 0;

  void run() {
    struct Exit {
      Core& core;
      ~Exit() {
        std::lock_guard lk(core.m);
        core.exited = true;
        core.exited_cv.notify_all();
      }
    } exit{*this};
    {
      std::unique_lock lk(m);
      cv.wait(lk, [&] { return started || stop; });
      if (stop) return;
    }
    Connection conn(c);
    std::chrono::milliseconds backoff{500};
    Clock::time_point retry_at = Clock::now();
    // Runs `op` on the link; a link failure gets one reconnect (the servers in order) and one
    // retry; when that fails too, every server is down.
    const auto on_link = [&](auto op) -> decltype(op()) {
      if (!conn.open()) {
        if (all_down && Clock::now() < retry_at) return unavailable();
        if (auto r = connect_any(conn); !r) {
          went_down(r.error(), backoff, retry_at);
          return r.error();
        }
        up_again(backoff);
      }
      auto r = op();
      if (r || !link_failed(r.error())) return r;
      log->warn("directory: {}; reconnecting", r.error().message());
      set_state(current, 2);
      conn.close();
      if (auto c2 = connect_any(conn); !c2) {
        went_down(c2.error(), backoff, retry_at);
        return c2.error();
      }
      up_again(backoff);
      return op();
    };
    const auto run_lookup = [&](Job& job) {
      auto r = on_link([&] { return search_user(conn, job.key_kind, job.key); });
      post_lookup(job, std::move(r));
    };
    // Lookups waiting while a bulk read pages: served between pages.
    const auto drain_lookups = [&] {
      for (;;) {
        std::optional<Job> job;
        {
          std::lock_guard lk(m);
          if (stop || lookups_queued.empty()) return;
          job = std::move(lookups_queued.front());
          lookups_queued.pop_front();
        }
        if (!conn.open()) return post_lookup(*job, unavailable());
        auto r = search_user(conn, job->key_kind, job->key);
        post_lookup(*job, std::move(r));
      }
    };
    if (c.warm_cache) {
      Job warm;
      warm.kind = Job::Kind::bulk;
      warm.warm = true;  // keeps nobody waiting
      std::lock_guard lk(m);
      bulk_queued.push_front(std::move(warm));
    }
    for (;;) {
      std::optional<Job> job;
      {
        std::unique_lock lk(m);
        for (;;) {
          if (stop) return;
          if (!lookups_queued.empty()) {
            job = std::move(lookups_queued.front());
            lookups_queued.pop_front();
            break;
          }
          if (!bulk_queued.empty()) {
            job = std::move(bulk_queued.front());
            bulk_queued.pop_front();
            break;
          }
          if (!conn.open()) {
            // Keep a link: connect now, or at the next backoff step.
            if (Clock::now() >= retry_at) break;
            cv.wait_until(lk, retry_at);
            continue;
          }
          cv.wait(lk);
        }
      }
      if (!job) {
        if (auto r = connect_any(conn); !r)
          went_down(r.error(), backoff, retry_at);
        else
          up_again(backoff);
        continue;
      }
      if (job->kind == Job::Kind::lookup) {
        run_lookup(*job);
      } else {
        auto r = on_link([&] { return read_all(conn, drain_lookups); });
        post_bulk(*job, std::move(r));
      }
    }
  }

  void up_again(std::chrono::milliseconds& backoff) {
    backoff = std::chrono::milliseconds(500);
    if (all_down.exchange(false))
      log->warn("directory: LDAP server {} answers again; lookups go to it", c.servers[current]);
    std::lock_guard lk(state_m);
    down_error.reset();
  }
};

LdapUserSource::LdapUserSource(LdapConfig config, const Directory& devices,
                               boost::asio::any_io_executor ex)
    : core_(std::make_shared<Core>(std::move(config), devices, std::move(ex))) {
  // The worker owns a reference: it may outlive the source (see the destructor).
  core_->worker = std::thread([core = core_] { core->run(); });
  // Connecting (and warming the cache) starts when the loop runs: --check-config builds the
  // source and never runs the loop, so it does not connect.
  std::weak_ptr<Core> weak = core_;
  net::post(core_->ex, [weak] {
    if (auto core = weak.lock(); core && !core->closed) core->start();
  });
}

LdapUserSource::~LdapUserSource() {
  Core& c = *core_;
  c.closed = true;
  {
    std::lock_guard lk(c.m);
    c.stop = true;
    c.lookups_queued.clear();
    c.bulk_queued.clear();
  }
  c.cv.notify_all();
  // Callers still waiting get an error, posted: their callbacks may call into their owner,
  // which may be what is destroying the source (a configuration reload).
  if (!c.pending.empty() || !c.bulk_waiting.empty()) {
    net::post(c.ex, [pending = std::move(c.pending), bulks = std::move(c.bulk_waiting)] {
      const Error closed = ldap_error(
          LdapErrc::unavailable, "the LDAP user source was closed (configuration reload or stop)");
      for (const auto& [key, waiting] : pending)
        for (const auto& d : waiting)
          d(closed);
      for (const auto& [id, d] : bulks)
        if (d) d(closed);
    });
  }
  c.work_guard.reset();
  c.outstanding = 0;
  // The worker is idle, usually, and ends at once. One in a search of a slow server ends when
  // the search does; the event loop does not wait for that (it posts nothing more: `stop`).
  bool exited = false;
  {
    std::unique_lock lk(c.m);
    exited = c.exited_cv.wait_for(lk, std::chrono::milliseconds(200), [&] { return c.exited; });
  }
  if (exited)
    c.worker.join();
  else
    c.worker.detach();
}

void LdapUserSource::by_id(std::string_view id, Done done) {
  core_->lookup(KeyKind::id, id, std::move(done));
}

void LdapUserSource::by_email(std::string_view email, Done done) {
  core_->lookup(KeyKind::email, email, std::move(done));
}

void LdapUserSource::by_sip_uri(std::string_view uri, Done done) {
  core_->lookup(KeyKind::sip, uri, std::move(done));
}

void LdapUserSource::all_users(DoneAll done) {
  core_->all_users(std::move(done));
}

LdapStats LdapUserSource::stats() const {
  const Core& c = *core_;
  LdapStats s;
  s.lookups = c.n_lookups;
  s.searches = c.n_searches;
  s.cache_hits = c.n_hits;
  s.coalesced = c.n_coalesced;
  s.stale_served = c.n_stale;
  s.not_found = c.n_not_found;
  s.errors = c.n_errors;
  s.bulk_reads = c.n_bulk;
  s.connects = c.n_connects;
  s.connect_failures = c.n_connect_failures;
  s.cache_entries = c.n_cache;
  s.all_down = c.all_down;
  std::lock_guard lk(c.state_m);
  for (const int st : c.state) {
    if (st == 1) ++s.servers_up;
    if (st == 2) ++s.servers_down;
  }
  return s;
}

}  // namespace rcc::directory
