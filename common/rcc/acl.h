#pragma once
// The incoming ACL: which peers may send SIP to the gateway. Entries are IP addresses, CIDR
// ranges ("10.1.0.0/16", "2001:db8::/32") and host names, which are resolved once, when the ACL
// is built (at start and at reload: never on the event thread). An address is allowed when it
// matches any entry. IPv4-mapped IPv6 addresses match IPv4 entries.

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "diag/error.h"

namespace rcc::gateway {

class Acl {
 public:
  /// Resolves a host name to its addresses (the daemon passes getaddrinfo; tests a table).
  using Resolve = std::function<Result<std::vector<boost::asio::ip::address>>(const std::string&)>;
  static Result<Acl> build(const std::vector<std::string>& entries, const Resolve& resolve);
  /// The system resolver, blocking: for start-up and reload only.
  static Result<std::vector<boost::asio::ip::address>> system_resolve(const std::string& name);

  bool allows(const std::string& address) const;
  bool allows(const boost::asio::ip::address& address) const;

 private:
  struct Range {
    boost::asio::ip::address base;
    unsigned prefix = 0;
  };
  std::vector<Range> ranges_;
};

}  // namespace rcc::gateway
