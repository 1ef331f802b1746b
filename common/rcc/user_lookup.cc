#include "rcc/user_lookup.h"

#include <memory>

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

namespace {

struct Step {
  MatchedBy by;
  std::string key;
};

// Tries steps[i..] in order; the first user found (or the first error) ends the lookup.
void try_from(directory::UserSource& users, std::shared_ptr<std::vector<Step>> steps, std::size_t i,
              std::shared_ptr<UserLookup> result,
              std::shared_ptr<std::function<void(UserLookup)>> done) {
  if (i == steps->size()) return (*done)(std::move(*result));
  const Step& step = (*steps)[i];
  result->tried.push_back(std::string(to_string(step.by)) + " '" + step.key + "'");
  auto next = [&users, steps, i, result, done](Result<std::optional<directory::User>> r) {
    if (!r) {
      result->error = r.error();
      return (*done)(std::move(*result));
    }
    if (*r) {
      result->user = std::move(**r);
      result->by = (*steps)[i].by;
      return (*done)(std::move(*result));
    }
    try_from(users, steps, i + 1, result, done);
  };
  switch (step.by) {
    case MatchedBy::user_id:
      return users.by_id(step.key, next);
    case MatchedBy::email:
      return users.by_email(step.key, next);
    case MatchedBy::ocs_primary_address:
      return users.by_sip_uri(step.key, next);
  }
}

}  // namespace

void lookup_user(directory::UserSource& users, std::string_view from_uri,
                 std::function<void(UserLookup)> done) {
  // The address of record: scheme, user and host, without URI parameters or headers.
  const std::string_view aor = from_uri.substr(0, from_uri.find_first_of(";?>"));
  std::string_view address = aor;
  if (util::istarts_with(address, "sips:"))
    address.remove_prefix(5);
  else if (util::istarts_with(address, "sip:"))
    address.remove_prefix(4);
  const auto at = address.find('@');
  auto steps = std::make_shared<std::vector<Step>>();
  steps->push_back({MatchedBy::user_id, std::string(address.substr(0, at))});
  if (at != std::string_view::npos) steps->push_back({MatchedBy::email, std::string(address)});
  steps->push_back({MatchedBy::ocs_primary_address, std::string(aor)});
  try_from(users, steps, 0, std::make_shared<UserLookup>(),
           std::make_shared<std::function<void(UserLookup)>>(std::move(done)));
}

}  // namespace rcc::gateway
