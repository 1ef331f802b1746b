#pragma once
// The checks of one RCC user: lookup, RCC enabled, line URI, DN, the device the gateway would
// choose (the gateway's own select_device), registration, LCS limit, device names, permissions,
// groups and caller names.

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "directory/user_source.h"
#include "rcc/user_lookup.h"
#include "report.h"
#include "setup.h"

namespace rcc::troubleshoot {

/// The user source the gateway would use for this set-up. The one place that builds it: another
/// source (LDAP) is swapped in here.
std::unique_ptr<directory::UserSource> make_user_source(boost::asio::io_context& ioc,
                                                        const Setup& setup);

/// Whether a device is registered and who said so.
struct Registration {
  std::optional<bool> registered;  ///< nullopt: nobody could say
  std::string source;              ///< "CTI node 10.0.0.1:2748", "the directory file"
};
using AskRegistration = std::function<Registration(const directory::Device&)>;

/// What the user typed (user ID, e-mail, sip: URI) as the From URI a client would send.
std::string as_from_uri(const std::string& user);

/// Looks `user` up as the gateway does (runs `ioc` until the source has answered).
gateway::UserLookup find_user(boost::asio::io_context& ioc, directory::UserSource& users,
                              const std::string& user);

/// Adds the user's checks to `report`. `lookup` is what find_user returned (or a record from
/// UserSource::all_users, with `tried` empty).
void check_user(const Setup& setup, const gateway::UserLookup& lookup, const AskRegistration& ask,
                Report& report);

}  // namespace rcc::troubleshoot
