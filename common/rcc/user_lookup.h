#pragma once
// Who is signing in: the RCC user behind a From URI, found as the reference deployment finds it
// (docs/protocol.md, "Sign-in"): (1) user ID = the part of the URI before '@', else (2) e-mail =
// the address without "sip:", else (3) ocsPrimaryAddress = the full sip: URI. The source may
// answer later (LDAP); the troubleshooter uses the same function to say which key matched.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/user_source.h"

namespace rcc::gateway {

enum class MatchedBy { user_id, email, ocs_primary_address };
std::string_view to_string(MatchedBy m);

struct UserLookup {
  std::optional<directory::User> user;  ///< nullopt: nobody (or the source failed: `error`)
  MatchedBy by = MatchedBy::user_id;
  /// Each key tried, in order, as "user ID 'jsmith'": for the log line and the troubleshooter.
  std::vector<std::string> tried;
  std::optional<Error> error;  ///< the source could not answer
};

/// `from_uri` is the From header's URI ("sip:john.smith@example.com", parameters allowed).
/// `done` is called once, possibly before this returns.
void lookup_user(directory::UserSource& users, std::string_view from_uri,
                 std::function<void(UserLookup)> done);

}  // namespace rcc::gateway
