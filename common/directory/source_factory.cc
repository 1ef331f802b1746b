#include "directory/source_factory.h"

namespace rcc::directory {

std::unique_ptr<UserSource> make_user_source(const DirectoryConfig& config,
                                             const Directory& devices,
                                             boost::asio::any_io_executor ex) {
  if (config.source == SourceKind::ldap)
    return std::make_unique<LdapUserSource>(config.ldap, devices, std::move(ex));
  return std::make_unique<DirectoryUsers>(devices);
}

std::optional<LdapStats> ldap_stats(const UserSource& source) {
  if (const auto* l = dynamic_cast<const LdapUserSource*>(&source)) return l->stats();
  return std::nullopt;
}

}  // namespace rcc::directory
