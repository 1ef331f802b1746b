#pragma once
// Where RCC users come from, as the gateway asks for them: by user ID, by e-mail, by sip: URI.
// Records are returned by value (owned by the caller) and answers may come later, on the same
// strand: an LDAP / Active Directory source answers asynchronously; the directory file answers
// at once (DirectoryUsers). Devices stay with the Directory (the call manager's data), and so
// do registration state (the CTI side) and the application user (the [cti] section).
//
//   users.by_id("jsmith", [](Result<std::optional<User>> r) { ... });

#include <functional>
#include <optional>
#include <string_view>
#include <vector>

#include "diag/error.h"
#include "directory/directory.h"

namespace rcc::directory {

class UserSource {
 public:
  /// The user, nullopt when there is none, or an error when the source could not answer (a
  /// directory server down): the caller tells "unknown user" from "cannot say" by that.
  using Done = std::function<void(Result<std::optional<User>>)>;
  /// Every RCC user the source holds (a bulk read: the troubleshooter's --all, warming a cache).
  using DoneAll = std::function<void(Result<std::vector<User>>)>;
  virtual ~UserSource() = default;
  virtual void by_id(std::string_view id, Done done) = 0;
  /// Case-insensitive, as mail addresses compare.
  virtual void by_email(std::string_view email, Done done) = 0;
  /// The full sip: URI (ocsPrimaryAddress / msRTCSIP-PrimaryUserAddress), case-insensitive.
  virtual void by_sip_uri(std::string_view uri, Done done) = 0;
  virtual void all_users(DoneAll done) = 0;
};

/// The users of a Directory (the directory file), answered at once.
class DirectoryUsers : public UserSource {
 public:
  explicit DirectoryUsers(const Directory& dir) : dir_(dir) {}
  void by_id(std::string_view id, Done done) override { done(copy(dir_.user_by_id(id))); }
  void by_email(std::string_view email, Done done) override {
    done(copy(dir_.user_by_email(email)));
  }
  void by_sip_uri(std::string_view uri, Done done) override {
    done(copy(dir_.user_by_ocs_address(uri)));
  }
  void all_users(DoneAll done) override { done(dir_.users()); }

 private:
  static std::optional<User> copy(const User* u) {
    return u ? std::optional<User>(*u) : std::nullopt;
  }
  const Directory& dir_;
};

}  // namespace rcc::directory
