#include "sip/uri.h"

#include <cctype>

#include "sip/error.h"
#include "util/text.h"

namespace rcc::sip {
namespace {

Error bad(std::string_view text, const char* why) {
  return Error(Errc::bad_request_uri, std::string(why) + ": " + std::string(text));
}

bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
}

}  // namespace

std::string SipUri::transport() const {
  if (const Param* t = find_param(params, "transport"); t && !t->value.empty()) {
    std::string v = t->value;
    for (auto& c : v)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return v;
  }
  return secure ? "tls" : "tcp";
}

std::uint16_t SipUri::port_or_default() const {
  if (port) return *port;
  return transport() == "tls" ? 5061 : 5060;
}

Result<SipUri> parse_sip_uri(std::string_view text) {
  SipUri u;
  std::string_view rest = text;
  if (util::istarts_with(rest, "sips:")) {
    u.secure = true;
    rest.remove_prefix(5);
  } else if (util::istarts_with(rest, "sip:")) {
    rest.remove_prefix(4);
  } else {
    return bad(text, "not a sip: or sips: URI");
  }
  // Headers (?...) are not routing information; drop them.
  if (auto q = rest.find('?'); q != std::string_view::npos) rest = rest.substr(0, q);
  // userinfo ends at the last '@' before the parameters (a user part may hold ';').
  const auto at = rest.rfind('@');
  if (at != std::string_view::npos) {
    u.user = std::string(rest.substr(0, at));
    rest.remove_prefix(at + 1);
  }
  std::string_view hostport = rest.substr(0, rest.find(';'));
  std::string_view params =
      hostport.size() < rest.size() ? rest.substr(hostport.size()) : std::string_view{};
  std::string_view port_text;
  bool port_separator = false;
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return bad(text, "unclosed IPv6 reference");
    u.host = std::string(hostport.substr(1, close - 1));
    std::string_view after = hostport.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad(text, "junk after the IPv6 reference");
      port_separator = true;
      port_text = after.substr(1);
    }
  } else {
    const auto colon = hostport.find(':');
    u.host = std::string(hostport.substr(0, colon));
    if (colon != std::string_view::npos) {
      port_separator = true;
      port_text = hostport.substr(colon + 1);
    }
    for (char c : u.host)
      if (!host_char(c)) return bad(text, "bad character in the host");
  }
  if (u.host.empty()) return bad(text, "no host");
  if (port_separator && port_text.empty()) return bad(text, "empty port");
  if (!port_text.empty()) {
    unsigned value = 0;
    for (char c : port_text) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return bad(text, "bad port");
      value = value * 10 + unsigned(c - '0');
      if (value > 65535) return bad(text, "port out of range");
    }
    if (value == 0) return bad(text, "port 0");
    u.port = static_cast<std::uint16_t>(value);
  }
  while (!params.empty()) {
    params.remove_prefix(1);  // ';'
    std::string_view p = params.substr(0, params.find(';'));
    params.remove_prefix(p.size());
    if (p.empty()) continue;
    Param param;
    const auto eq = p.find('=');
    param.name = std::string(p.substr(0, eq));
    if (eq != std::string_view::npos) {
      param.value = std::string(p.substr(eq + 1));
      param.has_value = true;
    }
    u.params.push_back(std::move(param));
  }
  return u;
}

}  // namespace rcc::sip
