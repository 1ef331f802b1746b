#pragma once
// The user source [directory] source names: the directory file's users (DirectoryUsers) or an
// LDAP / Active Directory server (LdapUserSource). The gateway and the troubleshooter build it
// the same way:
//
//   auto users = directory::make_user_source(cfg.directory, *dir, ioc.get_executor());
//   users->by_id("jsmith", ...);      // answers on ioc's thread
//
// For the LDAP source's counters (LdapStats), dynamic_cast the result to LdapUserSource, or use
// ldap_stats().

#include <boost/asio/any_io_executor.hpp>

#include <memory>
#include <optional>

#include "directory/directory.h"
#include "directory/directory_config.h"
#include "directory/ldap_source.h"
#include "directory/user_source.h"

namespace rcc::directory {

/// `devices`: the directory file (its users are the file source's users; in LDAP mode it gives
/// the devices); it must outlive the source, and so must `ex`'s execution context. An LDAP
/// source starts connecting (and warming its cache) at once, in the background.
std::unique_ptr<UserSource> make_user_source(const DirectoryConfig& config,
                                             const Directory& devices,
                                             boost::asio::any_io_executor ex);

/// The LDAP source's counters; nullopt for another source.
std::optional<LdapStats> ldap_stats(const UserSource& source);

}  // namespace rcc::directory
