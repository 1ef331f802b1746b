#include "directory/directory_config.h"

#include <filesystem>

#include "directory/ldap_filter.h"
#include "util/file.h"
#include "util/text.h"

namespace rcc::directory {
namespace {

std::string relative_to(const config::Document& doc, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(doc.path()).parent_path() / p;
  return p.string();
}

void read_attribute(config::Section& s, const char* key, std::string& into) {
  auto v = s.string(key);
  if (!v) return;
  if (!valid_attribute_name(*v))
    s.fail_key(key, "'" + *v +
                        "' is not an attribute name (letters, digits and '-', starting with a "
                        "letter, or a numeric OID)");
  into = *v;
}

LdapConfig load_ldap(const config::Document& doc, config::Section& s) {
  LdapConfig c;
  c.servers = s.strings("servers").value_or(std::vector<std::string>{});
  if (c.servers.empty()) s.fail_key("servers", "needs at least one ldap:// or ldaps:// URI");
  for (const auto& uri : c.servers) {
    if (!util::istarts_with(uri, "ldap://") && !util::istarts_with(uri, "ldaps://"))
      s.fail_key("servers", "'" + uri + "' is not an ldap:// or ldaps:// URI");
    const std::string_view rest =
        std::string_view(uri).substr(util::istarts_with(uri, "ldaps://") ? 8 : 7);
    if (rest.empty() || rest.front() == '/' || rest.find_first_of(" ,") != std::string::npos)
      s.fail_key("servers", "'" + uri + "' needs a host: ldap://HOST[:PORT], one server a URI");
  }
  c.bind_dn = s.string("bind-dn").value_or("");
  if (s.string("bind-password"))
    s.fail_key("bind-password",
               "passwords are not kept in rcc.toml: put it in a file readable by the service only "
               "and name it with bind-password-file");
  if (auto pf = s.string("bind-password-file")) {
    const std::string path = relative_to(doc, *pf);
    auto text = util::read_file(path, 4096);
    if (!text) s.fail_key("bind-password-file", text.error().message());
    std::string pw = *text;
    while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r'))
      pw.pop_back();
    if (pw.empty()) s.fail_key("bind-password-file", path + " is empty");
    c.bind_password = pw;
  }
  if (!c.bind_dn.empty() && c.bind_password.empty())
    s.fail_key("bind-dn",
               "needs bind-password-file (an empty password would be an anonymous "
               "bind)");
  if (c.bind_dn.empty() && !c.bind_password.empty())
    s.fail_key("bind-password-file", "needs bind-dn");
  c.base = s.string("base").value_or("");
  if (c.base.empty()) s.fail_key("base", "is required: the search base, e.g. DC=example,DC=com");
  c.line_server = s.string("line-server").value_or("");
  c.rcc_group = s.string("rcc-group").value_or("");
  c.filter = s.string("filter").value_or("");
  if (!c.filter.empty()) {
    if (auto ok = check_filter(c.filter); !ok) s.fail_key("filter", ok.error().detail());
  } else if (c.line_server.empty()) {
    s.fail_key("line-server",
               "is required with the default filter: the msRTCSIP-LineServer value of this "
               "gateway's users, e.g. sip:rcc-gw@gw.example.com (or give filter)");
  }
  c.start_tls = s.boolean("start-tls").value_or(false);
  if (auto v = s.string("ca-file")) c.ca_file = relative_to(doc, *v);
  if (auto v = s.choice("tls-min-version", {"1.2", "1.3"})) c.tls_min_13 = *v == "1.3";
  if (c.uses_tls() && c.ca_file.empty())
    s.fail_key(c.start_tls ? "start-tls" : "servers",
               "TLS needs ca-file: the CA certificates (PEM) the servers' certificates chain to");
  if (!c.ca_file.empty()) {
    auto ca = util::read_file(c.ca_file, 4 << 20);
    if (!ca) s.fail_key("ca-file", ca.error().message());
  }
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  if (auto v = s.integer("connect-timeout", 1, 300)) c.connect_timeout = milliseconds(*v * 1000);
  if (auto v = s.integer("search-timeout", 1, 300)) c.search_timeout = milliseconds(*v * 1000);
  if (auto v = s.integer("reconnect-max", 1, 3600)) c.reconnect_max = milliseconds(*v * 1000);
  if (auto v = s.integer("cache-ttl", 0, 86'400)) c.cache_ttl = seconds(*v);
  if (auto v = s.integer("negative-ttl", 0, 86'400)) c.negative_ttl = seconds(*v);
  if (auto v = s.integer("stale-max", 0, 30 * 86'400)) c.stale_max = seconds(*v);
  if (auto v = s.integer("cache-max-entries", 1, 100'000'000))
    c.cache_max_entries = std::size_t(*v);
  if (auto v = s.integer("page-size", 1, 100'000)) c.page_size = int(*v);
  c.warm_cache = s.boolean("warm-cache").value_or(true);
  c.refuse_shared_lines = s.boolean("refuse-shared-lines").value_or(true);

  config::Section a = s.table("attributes");
  LdapAttributes& m = c.attributes;
  read_attribute(a, "user-id", m.user_id);
  read_attribute(a, "email", m.email);
  read_attribute(a, "sip-address", m.sip_address);
  read_attribute(a, "line", m.line);
  read_attribute(a, "line-server", m.line_server);
  read_attribute(a, "option-flags", m.option_flags);
  read_attribute(a, "user-enabled", m.user_enabled);
  read_attribute(a, "account-control", m.account_control);
  read_attribute(a, "member-of", m.member_of);
  read_attribute(a, "telephone-number", m.telephone_number);
  read_attribute(a, "display-name", m.display_name);
  a.reject_unknown_keys();
  s.reject_unknown_keys();
  return c;
}

void append_flag_clause(std::string& f, const std::string& attribute, int bit, bool negate) {
  const std::string clause =
      "(" + attribute + ":1.2.840.113556.1.4.803:=" + std::to_string(bit) + ")";
  f += negate ? "(!" + clause + ")" : clause;
}

}  // namespace

std::string default_filter(const LdapAttributes& a, const std::string& line_server,
                           const std::string& rcc_group) {
  std::string f = "(&" + equality_filter(a.user_enabled, "TRUE");
  if (rcc_group.empty())
    append_flag_clause(f, a.option_flags, 16, false);
  else
    f += equality_filter(a.member_of, rcc_group);
  f += "(" + a.line + "=*)";
  if (!line_server.empty()) f += equality_filter(a.line_server, line_server);
  append_flag_clause(f, a.account_control, 2, true);
  return f + ")";
}

std::string LdapConfig::effective_filter() const {
  return filter.empty() ? default_filter(attributes, line_server, rcc_group) : filter;
}

bool LdapConfig::uses_tls() const {
  if (start_tls) return true;
  for (const auto& s : servers)
    if (util::istarts_with(s, "ldaps://")) return true;
  return false;
}

DirectoryConfig load_directory_config(const config::Document& doc) {
  DirectoryConfig c;
  c.config_path = doc.path();
  config::Section d(doc, "directory");
  if (auto v = d.string("file")) c.file = relative_to(doc, *v);
  if (auto v = d.choice("source", {"file", "ldap"}))
    c.source = *v == "ldap" ? SourceKind::ldap : SourceKind::file;
  // [directory.ldap] is read only with source = "ldap" (kept, unread, while a site switches).
  config::Section l = d.table("ldap");
  if (c.source == SourceKind::ldap) c.ldap = load_ldap(doc, l);
  d.reject_unknown_keys();
  return c;
}

}  // namespace rcc::directory
