#include "rcc/user_lookup.h"

#include "util/text.h"

namespace rcc::gateway {

std::string_view to_string(MatchedBy m) {
  switch (m) {
    case MatchedBy::user_id:
      return "user ID";
    case MatchedBy::email:
      return "e-mail";
    case MatchedBy::ocs_primary_address:
      return "ocsPrimaryAddress";
  }
  return "?";
}

UserMatch find_user(const directory::Directory& dir, std::string_view from_uri) {
  UserMatch m;
  // The address of record: scheme, user and host, without URI parameters or headers.
  std::string_view aor = from_uri.substr(0, from_uri.find_first_of(";?>"));
  std::string_view address = aor;
  if (util::istarts_with(address, "sips:"))
    address.remove_prefix(5);
  else if (util::istarts_with(address, "sip:"))
    address.remove_prefix(4);
  const auto at = address.find('@');
  const std::string_view id = address.substr(0, at);
  const auto quoted = [](std::string_view what, std::string_view v) {
    return std::string(what) + " '" + std::string(v) + "'";
  };
  m.tried.push_back(quoted("user ID", id));
  if ((m.user = dir.user_by_id(id))) {
    m.by = MatchedBy::user_id;
    return m;
  }
  if (at != std::string_view::npos) {
    m.tried.push_back(quoted("e-mail", address));
    if ((m.user = dir.user_by_email(address))) {
      m.by = MatchedBy::email;
      return m;
    }
  }
  m.tried.push_back(quoted("ocsPrimaryAddress", aor));
  if ((m.user = dir.user_by_ocs_address(aor))) m.by = MatchedBy::ocs_primary_address;
  return m;
}

}  // namespace rcc::gateway
