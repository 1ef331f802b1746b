#pragma once
// SIP and SIPS URIs (RFC 3261 §19.1): the parts the gateway routes on. Parameters are split
// properly, so ";lr" is a parameter named lr, never a substring of some other value.
//
//   auto u = parse_sip_uri("sip:ocs.example.com:5061;transport=tls;lr");
//   u->host == "ocs.example.com", u->port == 5061, u->has_param("lr")

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "diag/error.h"
#include "sip/headers.h"

namespace rcc::sip {

struct SipUri {
  bool secure = false;  ///< sips:
  std::string user;     ///< unescaped is not needed here: kept as written
  std::string host;     ///< IPv6 references without their brackets
  std::optional<std::uint16_t> port;
  Params params;  ///< URI parameters (transport, lr, maddr, ...), names as written

  bool has_param(std::string_view name) const { return find_param(params, name) != nullptr; }
  /// "tcp", "tls", "udp", ... lower-cased: the transport parameter, else tls for sips:, else tcp
  /// (the gateway has no UDP).
  std::string transport() const;
  /// The port to connect to: the URI's, else 5061 for TLS and 5060 for the rest (§19.1.2).
  std::uint16_t port_or_default() const;
};

/// Parses a sip: or sips: URI; other schemes and malformed hosts or ports are errors
/// (Errc::bad_request_uri).
Result<SipUri> parse_sip_uri(std::string_view text);

}  // namespace rcc::sip
