// The user source of rcc-troubleshoot: the gateway's. Kept alone in this file so that another
// source (an LDAP directory) replaces this one function and nothing else.
#include "directory/user_source.h"
#include "user.h"

namespace rcc::troubleshoot {

std::unique_ptr<directory::UserSource> make_user_source(boost::asio::io_context& ioc,
                                                        const Setup& setup) {
  (void)ioc;  // an asynchronous source answers on it
  if (!setup.directory) return nullptr;
  return std::make_unique<directory::DirectoryUsers>(*setup.directory);
}

}  // namespace rcc::troubleshoot
