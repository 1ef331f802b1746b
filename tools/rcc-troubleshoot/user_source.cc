// The user source of rcc-troubleshoot: the gateway's ([directory] source), built by the same
// factory rcc-gatewayd uses. Kept alone in this file so that the choice stays in one place.
#include "directory/user_source.h"
#include "directory/source_factory.h"
#include "user.h"

namespace rcc::troubleshoot {

std::unique_ptr<directory::UserSource> make_user_source(boost::asio::io_context& ioc,
                                                        const Setup& setup) {
  if (!setup.directory) return nullptr;  // the directory file also gives the devices
  directory::DirectoryConfig c = setup.gateway.directory;
  // One lookup, or one bulk read for --all: a warm-up read at start would only double that.
  c.ldap.warm_cache = false;
  return directory::make_user_source(c, *setup.directory, ioc.get_executor());
}

}  // namespace rcc::troubleshoot
