#pragma once
// Who is signing in: the RCC user behind a From URI, found as the reference deployment finds it
// (docs/protocol.md, "Sign-in"): (1) user ID = the part of the URI before '@', else (2) e-mail =
// the address without "sip:", else (3) ocsPrimaryAddress = the full sip: URI. Pure: the caller
// passes the directory, and the troubleshooter uses the same function to say which key matched.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "directory/directory.h"

namespace rcc::gateway {

enum class MatchedBy { user_id, email, ocs_primary_address };
std::string_view to_string(MatchedBy m);

struct UserMatch {
  const directory::User* user = nullptr;  ///< null: nobody
  MatchedBy by = MatchedBy::user_id;
  /// Each key tried, in order, as "user ID 'jsmith'": for the log line and the troubleshooter.
  std::vector<std::string> tried;
};

/// `from_uri` is the From header's URI ("sip:john.smith@example.com", parameters allowed).
UserMatch find_user(const directory::Directory& dir, std::string_view from_uri);

}  // namespace rcc::gateway
