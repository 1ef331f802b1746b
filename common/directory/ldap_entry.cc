#include "directory/ldap_entry.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "csta/errc.h"
#include "csta/line_uri.h"
#include "directory/ldap_filter.h"
#include "util/text.h"

namespace rcc::directory {
namespace {

std::optional<long long> integer_value(const std::string& s) {
  long long v = 0;
  const char* end = s.data() + s.size();
  const auto r = std::from_chars(s.data(), end, v);
  if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
  return v;
}

std::string quoted(const std::string& v) {
  return "'" + util::printable(v) + "'";
}

}  // namespace

const std::vector<std::string>* LdapEntry::values(std::string_view name) const {
  for (const auto& [n, v] : attributes)
    if (util::iequals(n, name)) return &v;
  return nullptr;
}

const std::string* LdapEntry::first(std::string_view name) const {
  const auto* v = values(name);
  return v && !v->empty() ? &v->front() : nullptr;
}

std::vector<std::string> requested_attributes(const LdapAttributes& a) {
  std::vector<std::string> out = {
      a.user_id,      a.email,        a.sip_address,     a.line,      a.line_server,
      a.option_flags, a.user_enabled, a.account_control, a.member_of, a.telephone_number,
      a.display_name};
  // Two map entries may name one attribute: ask once.
  std::vector<std::string> unique;
  for (auto& n : out)
    if (std::none_of(unique.begin(), unique.end(),
                     [&](const std::string& u) { return util::iequals(u, n); }))
      unique.push_back(std::move(n));
  return unique;
}

NotRcc explain_not_rcc(const LdapEntry& e, const LdapConfig& c) {
  const LdapAttributes& a = c.attributes;
  const std::string at = e.dn + ": ";
  // A configured filter may not use an attribute of the default one (an OpenLDAP directory
  // without the OCS/Lync schema): check only those it names.
  const std::string filter = c.filter;
  const auto uses = [&](const std::string& attribute) {
    if (filter.empty()) return true;
    const auto it =
        std::search(filter.begin(), filter.end(), attribute.begin(), attribute.end(),
                    [](char x, char y) { return util::ascii_lower(x) == util::ascii_lower(y); });
    return it != filter.end();
  };
  if (const auto* uac = uses(a.account_control) ? e.first(a.account_control) : nullptr) {
    const auto v = integer_value(*uac);
    if (!v) return {at + a.account_control + " " + quoted(*uac) + " is not an integer"};
    if (*v & 2) return {at + a.account_control + " " + *uac + ": the account is disabled (bit 2)"};
  }
  if (uses(a.user_enabled)) {
    const auto* enabled = e.first(a.user_enabled);
    if (!enabled)
      return {at + a.user_enabled + " is missing: the user is not enabled for OCS/Lync"};
    if (!util::iequals(*enabled, "TRUE"))
      return {at + a.user_enabled + " is " + util::printable(*enabled) +
              ": the user is not enabled for OCS/Lync"};
  }
  if (!c.rcc_group.empty()) {
    const auto* groups = e.values(a.member_of);
    const bool member =
        groups && std::any_of(groups->begin(), groups->end(),
                              [&](const std::string& g) { return same_dn(g, c.rcc_group); });
    if (!member)
      return {at + "not a member of " + c.rcc_group + " (" + a.member_of +
              "): remote call control is not enabled"};
  } else if (uses(a.option_flags)) {
    const auto* flags = e.first(a.option_flags);
    if (!flags) return {at + a.option_flags + " is missing: remote call control is not enabled"};
    const auto v = integer_value(*flags);
    if (!v) return {at + a.option_flags + " " + quoted(*flags) + " is not an integer"};
    if (!(*v & 16))
      return {at + a.option_flags + " " + *flags +
              " lacks bit 16: remote call control is not enabled"};
  }
  if (!e.first(a.line)) return {at + a.line + " is missing: the user has no line", true};
  if (!c.line_server.empty()) {
    const auto* server = e.first(a.line_server);
    if (!server)
      return {at + a.line_server + " is missing: no gateway serves the line (this one is " +
              c.line_server + ")"};
    if (!util::iequals(*server, c.line_server))
      return {at + a.line_server + " is " + quoted(*server) +
              ": another gateway's user (this gateway is " + c.line_server + ")"};
  }
  return {at + "does not match the [directory.ldap] filter " + c.effective_filter()};
}

User user_from_entry(const LdapEntry& e, const LdapConfig& c, bool matched) {
  const LdapAttributes& a = c.attributes;
  User u;
  u.dn = e.dn;
  const auto bad = [&](User::Problem p, const std::string& what) {
    if (u.problem == User::Problem::none) {
      u.problem = p;
      u.problem_detail = e.dn + ": " + what;
    }
  };
  if (const auto* id = e.first(a.user_id)) {
    u.id = *id;
  } else {
    u.id = e.dn;  // for log lines: the user has no ID
    bad(User::Problem::bad_entry, a.user_id + " (the user ID) is missing");
  }
  if (const auto* v = e.first(a.email)) u.email = *v;
  if (const auto* v = e.first(a.sip_address)) {
    u.ocs_primary_address = *v;
    if (!util::istarts_with(*v, "sip:"))
      bad(User::Problem::bad_entry, a.sip_address + " " + quoted(*v) + " is not a sip: URI");
  }
  if (const auto* v = e.first(a.telephone_number)) u.telephone_number = *v;
  if (const auto* v = e.first(a.display_name)) u.display_name = *v;
  if (const auto* lines = e.values(a.line); lines && !lines->empty()) {
    u.line_uri = lines->front();
    if (lines->size() > 1) {
      bad(User::Problem::bad_line,
          a.line + " has " + std::to_string(lines->size()) + " values; one line per user");
    } else if (auto line = csta::parse_line_uri(u.line_uri); !line) {
      std::string why = a.line + " " + quoted(u.line_uri) + ": " + line.error().detail();
      if (line.error().code() == csta::Errc::phone_context_on_global)
        why +=
            " (an E.164 number written with ;phone-context=dialstring: Lync never sends the "
            "INVITE for it; write tel:+NUMBER, or the DN with phone-context=dialstring)";
      bad(User::Problem::bad_line, why);
    }
  }
  if (matched) {
    u.rcc_enabled = true;
    if (u.line_uri.empty())
      bad(User::Problem::bad_line, a.line + " is missing: the user has no line");
  } else {
    // Not an RCC user of this gateway: that is the answer, whatever else the record holds.
    const NotRcc why = explain_not_rcc(e, c);
    u.rcc_enabled = false;
    u.problem = why.is_line ? User::Problem::bad_line : User::Problem::none;
    u.problem_detail = why.detail;
  }
  return u;
}

void attach_devices(User& u, const Directory& devices) {
  if (const User* known = devices.user_by_id(u.id)) {
    u.devices = known->devices;
    u.extension_mobility = known->extension_mobility;
    u.groups = known->groups;  // the call manager's access control groups, too
    u.groups_known = known->groups_known;
    return;
  }
  u.devices.clear();
  auto line = csta::parse_line_uri(u.line_uri);
  if (!line) return;
  const auto partition = line->partition();
  for (const Device* d : devices.devices_with_dn(line->digits())) {
    const bool in_partition =
        !partition || std::any_of(d->lines.begin(), d->lines.end(), [&](const Line& l) {
          return l.dn == line->digits() && util::iequals(l.partition, *partition);
        });
    if (in_partition) u.devices.push_back(d->name);
  }
}

}  // namespace rcc::directory
