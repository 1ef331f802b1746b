#include "rcc/acl.h"

#include <netdb.h>
#include <sys/socket.h>

#include <array>
#include <memory>

#include "util/text.h"

namespace rcc::gateway {
namespace ip = boost::asio::ip;

namespace {

ip::address normalize(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

bool in_range(const ip::address& a, const ip::address& base, unsigned prefix) {
  if (a.is_v4() != base.is_v4()) return false;
  if (a.is_v4()) {
    const auto x = a.to_v4().to_uint();
    const auto y = base.to_v4().to_uint();
    const std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t(0) << (32 - prefix);
    return (x & mask) == (y & mask);
  }
  const auto x = a.to_v6().to_bytes();
  const auto y = base.to_v6().to_bytes();
  unsigned bits = prefix;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<unsigned char>(0xFF << (8 - take));
    if ((x[i] & mask) != (y[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

}  // namespace

Result<std::vector<ip::address>> Acl::system_resolve(const std::string& name) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  const int rc = ::getaddrinfo(name.c_str(), nullptr, &hints, &res);
  if (rc != 0)
    return Error(rcc::Errc::invalid_argument, "cannot resolve " + name + ": " + gai_strerror(rc));
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(res, &::freeaddrinfo);
  std::vector<ip::address> out;
  for (const addrinfo* p = res; p; p = p->ai_next) {
    std::array<char, 64> buf{};
    if (::getnameinfo(p->ai_addr, p->ai_addrlen, buf.data(), buf.size(), nullptr, 0,
                      NI_NUMERICHOST) == 0) {
      boost::system::error_code ec;
      auto a = ip::make_address(buf.data(), ec);
      if (!ec) out.push_back(a);
    }
  }
  if (out.empty()) return Error(rcc::Errc::invalid_argument, name + " has no address");
  return out;
}

Result<Acl> Acl::build(const std::vector<std::string>& entries, const Resolve& resolve) {
  Acl acl;
  for (const auto& entry : entries) {
    const std::string text(util::trim(entry));
    const auto slash = text.find('/');
    boost::system::error_code ec;
    const auto addr = ip::make_address(text.substr(0, slash), ec);
    if (!ec) {
      unsigned prefix = addr.is_v4() ? 32 : 128;
      if (slash != std::string::npos) {
        const std::string bits = text.substr(slash + 1);
        if (bits.empty() || bits.size() > 3 ||
            bits.find_first_not_of("0123456789") != std::string::npos || std::stoul(bits) > prefix)
          return Error(rcc::Errc::invalid_argument, "bad prefix length in '" + text + "'");
        prefix = unsigned(std::stoul(bits));
      }
      acl.ranges_.push_back({normalize(addr), prefix});
      continue;
    }
    if (slash != std::string::npos)
      return Error(rcc::Errc::invalid_argument, "'" + text + "' is not an address/prefix");
    auto addrs = resolve(text);
    if (!addrs) return addrs.error();
    for (const auto& a : *addrs)
      acl.ranges_.push_back({normalize(a), a.is_v4() ? 32u : 128u});
  }
  return acl;
}

bool Acl::allows(const ip::address& address) const {
  const auto a = normalize(address);
  for (const auto& r : ranges_)
    if (in_range(a, r.base, r.prefix)) return true;
  return false;
}

bool Acl::allows(const std::string& address) const {
  boost::system::error_code ec;
  const auto a = ip::make_address(address, ec);
  return !ec && allows(a);
}

}  // namespace rcc::gateway
