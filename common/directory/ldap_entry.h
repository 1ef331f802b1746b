#pragma once
// What the LDAP user source makes of a directory entry: a directory::User, with rcc_enabled,
// `problem` and `problem_detail` saying whether the gateway may serve it and, if not, why, in
// words that name the entry's DN and the attribute ("cn=Rob Off,ou=people,dc=example,dc=com:
// msRTCSIP-OptionFlags 256 lacks bit 16 (remote call control)"). Pure functions: no I/O.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "directory/directory.h"
#include "directory/directory_config.h"

namespace rcc::directory {

/// One search result entry, as the server sent it.
struct LdapEntry {
  std::string dn;
  std::vector<std::pair<std::string, std::vector<std::string>>> attributes;

  /// The values of `name` (attribute names compare without regard to case); nullptr: absent.
  const std::vector<std::string>* values(std::string_view name) const;
  /// The first value of `name`, or nullptr.
  const std::string* first(std::string_view name) const;
};

/// The attributes a lookup requests (every attribute of the map).
std::vector<std::string> requested_attributes(const LdapAttributes& a);

/// The user `e` describes. `matched`: the entry matched the RCC-user filter (then the user is
/// an RCC user of this gateway, unless the record itself is bad); otherwise rcc_enabled is false
/// and problem_detail says which condition of the filter the entry fails (or that it fails a
/// configured filter).
User user_from_entry(const LdapEntry& e, const LdapConfig& c, bool matched);

/// Why an entry that did not match the RCC-user filter is not an RCC user of this gateway; with
/// `is_line` true when the reason is the line attribute (missing), which the gateway reports as
/// bad-line-uri.
struct NotRcc {
  std::string detail;
  bool is_line = false;
};
NotRcc explain_not_rcc(const LdapEntry& e, const LdapConfig& c);

/// The call manager's side of an LDAP user: the devices. A [[user]] of the directory file with
/// the same user ID gives them (devices, extension-mobility, and its access control groups);
/// otherwise every device that carries the line's DN (in the line's partition= when given).
void attach_devices(User& u, const Directory& devices);

}  // namespace rcc::directory
