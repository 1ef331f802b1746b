#include "csta/line_uri.h"

#include <algorithm>
#include <cctype>

#include "util/text.h"
#include "util/utf8.h"

namespace rcc::csta {
namespace {

bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_alpha(char c) {
  return std::isalpha(static_cast<unsigned char>(c)) != 0;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_visual_separator(char c) {
  return c == '-' || c == '.' || c == '(' || c == ')';
}

char lower(char c) {
  return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}
std::string to_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), lower);
  return out;
}
using util::iequals;

// RFC 3966 §3: paramchar = param-unreserved / unreserved / pct-encoded (without the '%').
bool is_paramchar(char c) {
  static constexpr std::string_view kMarks = "-_.!~*'()[]/:&+$";
  return is_alnum(c) || kMarks.find(c) != std::string_view::npos;
}
// RFC 3261 §25.1: user = 1*( unreserved / escaped / user-unreserved ).
bool is_userchar(char c) {
  static constexpr std::string_view kMarks = "-_.!~*'()&=+$,?/";
  return is_alnum(c) || kMarks.find(c) != std::string_view::npos;
}

Error error(Errc e, std::string detail) {
  return Error(e, std::move(detail));
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  return lower(c) - 'a' + 10;
}

/// Percent-decodes `s`, whose raw characters must satisfy `allowed`.
Result<std::string> decode_component(std::string_view s, bool (*allowed)(char),
                                     std::string_view what, Errc bad_char) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%') {
      if (s.size() - i < 3) {
        return error(Errc::bad_percent_encoding, "truncated %-escape in " + std::string(what));
      }
      if (!is_hex(s[i + 1]) || !is_hex(s[i + 2])) {
        return error(Errc::bad_percent_encoding, "bad %-escape in " + std::string(what));
      }
      const auto byte = static_cast<unsigned char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
      if (byte < 0x20 || byte == 0x7F) {
        return error(Errc::bad_percent_encoding, "control character in " + std::string(what));
      }
      out += static_cast<char>(byte);
      i += 2;
    } else if (allowed(c)) {
      out += c;
    } else {
      return error(bad_char,
                   "character '" + std::string(1, c) + "' not allowed in " + std::string(what));
    }
  }
  if (!util::is_valid_utf8(out)) {
    return error(Errc::bad_percent_encoding, std::string(what) + " is not UTF-8 once decoded");
  }
  return out;
}

void append_encoded(std::string& out, std::string_view s, bool (*allowed)(char)) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const char c : s) {
    if (allowed(c)) {
      out += c;
    } else {
      const auto b = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[b >> 4];
      out += kHex[b & 15];
    }
  }
}

// global-number-digits = "+" *phonedigit DIGIT *phonedigit
bool is_global_number_digits(std::string_view s) {
  if (s.size() < 2 || s[0] != '+') return false;
  bool digit = false;
  for (const char c : s.substr(1)) {
    if (is_digit(c)) {
      digit = true;
    } else if (!is_visual_separator(c)) {
      return false;
    }
  }
  return digit;
}
// local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex
bool is_local_number_digits(std::string_view s) {
  bool digit = false;
  for (const char c : s) {
    if (is_hex(c) || c == '*' || c == '#') {
      digit = true;
    } else if (!is_visual_separator(c)) {
      return false;
    }
  }
  return digit;
}
// domainname = *( domainlabel "." ) toplabel [ "." ] (RFC 3966 §3)
bool is_domainname(std::string_view s) {
  if (!s.empty() && s.back() == '.') s.remove_suffix(1);
  if (s.empty()) return false;
  std::string_view label;
  for (;;) {
    const auto dot = s.find('.');
    label = s.substr(0, dot);
    if (label.empty() || !is_alnum(label.front()) || !is_alnum(label.back())) return false;
    for (const char c : label) {
      if (!is_alnum(c) && c != '-') return false;
    }
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
  }
  return is_alpha(label.front());  // toplabel starts with a letter
}

/// Parses ";name[=value]" segments (without the leading ';'), appending to `out` and refusing a
/// name already in `seen`.
Result<void> parse_params(std::string_view text, std::vector<UriParameter>& out,
                          std::vector<UriParameter>& seen) {
  while (true) {
    const auto semi = text.find(';');
    const std::string_view seg = text.substr(0, semi);
    if (seg.empty()) return error(Errc::bad_parameter, "empty parameter");
    const auto eq = seg.find('=');
    const std::string_view raw_name = seg.substr(0, eq);
    if (raw_name.empty()) return error(Errc::bad_parameter, "parameter without a name");
    for (const char c : raw_name) {
      if (!is_alnum(c) && c != '-') {
        return error(Errc::bad_parameter, "bad parameter name '" + std::string(raw_name) + "'");
      }
    }
    UriParameter p;
    p.name = to_lower(raw_name);
    for (const auto& q : seen) {
      if (q.name == p.name) return error(Errc::duplicate_parameter, "duplicate " + p.name);
    }
    if (eq != std::string_view::npos) {
      const std::string_view raw_value = seg.substr(eq + 1);
      if (raw_value.empty()) return error(Errc::bad_parameter, p.name + " has an empty value");
      auto v = decode_component(raw_value, is_paramchar, p.name, Errc::bad_parameter);
      if (!v) return v.error();
      p.value = std::move(*v);
      p.has_value = true;
      if (p.name == "phone-context" && !is_domainname(raw_value) &&
          !is_global_number_digits(raw_value)) {
        return error(Errc::bad_parameter, "phone-context is neither a domain nor a global number");
      }
    }
    if ((p.name == "phone-context" || p.name == "ext" || p.name == "isub" || p.name == "device" ||
         p.name == "partition") &&
        !p.has_value) {
      return error(Errc::bad_parameter, p.name + " needs a value");
    }
    if (p.name == "ext") {
      for (const char c : p.value) {
        if (!is_digit(c) && !is_visual_separator(c)) {
          return error(Errc::bad_parameter, "ext is not a number");
        }
      }
    }
    seen.push_back(p);
    out.push_back(std::move(p));
    if (semi == std::string_view::npos) return {};
    text.remove_prefix(semi + 1);
  }
}

/// Checks a telephone-subscriber number against its parameters (RFC 3966 §3, §5.1.4-5).
Result<void> check_subscriber(std::string_view number, const std::vector<UriParameter>& params) {
  const bool has_context = std::any_of(params.begin(), params.end(), [](const UriParameter& p) {
    return p.name == "phone-context";
  });
  if (!number.empty() && number.front() == '+') {
    if (!is_global_number_digits(number)) {
      return error(Errc::bad_number, "'" + std::string(number) + "' is not a global number");
    }
    if (has_context) {
      return error(Errc::phone_context_on_global, "global number with phone-context");
    }
    return {};
  }
  if (!is_local_number_digits(number)) {
    return error(Errc::bad_number, "'" + std::string(number) + "' is not a telephone number");
  }
  if (!has_context)
    return error(Errc::missing_phone_context, "local number " + std::string(number));
  return {};
}

Result<LineUri> parse_tel(std::string_view rest) {
  LineUri uri;
  uri.scheme = LineUri::Scheme::tel;
  const auto semi = rest.find(';');
  uri.number = std::string(rest.substr(0, semi));
  if (uri.number.empty()) return error(Errc::bad_number, "empty number");
  if (semi != std::string_view::npos) {
    std::vector<UriParameter> seen;
    if (auto r = parse_params(rest.substr(semi + 1), uri.params, seen); !r) return r.error();
  }
  if (auto r = check_subscriber(uri.number, uri.params); !r) return r.error();
  return uri;
}

Result<LineUri> parse_sip(std::string_view rest, LineUri::Scheme scheme) {
  LineUri uri;
  uri.scheme = scheme;
  const auto at = rest.find('@');
  if (at == std::string_view::npos || at == 0) {
    return error(Errc::bad_number, "sip URI without a user part");
  }
  std::string_view user = rest.substr(0, at);
  std::string_view host_part = rest.substr(at + 1);
  std::vector<UriParameter> seen;
  const auto user_semi = user.find(';');
  const std::string_view raw_number = user.substr(0, user_semi);
  if (raw_number.empty()) return error(Errc::bad_number, "empty user part");
  if (raw_number.find(':') != std::string_view::npos) {
    return error(Errc::bad_number, "password in a sip URI");
  }
  auto number = decode_component(raw_number, is_userchar, "user part", Errc::bad_number);
  if (!number) return number.error();
  uri.number = std::move(*number);
  if (user_semi != std::string_view::npos) {
    if (auto r = parse_params(user.substr(user_semi + 1), uri.params, seen); !r) return r.error();
  }
  // hostport, then URI parameters; headers (?...) have no place in a device identifier.
  const auto semi = host_part.find(';');
  std::string_view hostport = host_part.substr(0, semi);
  if (host_part.find('?') != std::string_view::npos) {
    return error(Errc::bad_parameter, "headers in a device URI");
  }
  std::string_view host = hostport;
  if (!hostport.empty() && hostport.front() == '[') {
    const auto close = hostport.find(']');
    if (close == std::string_view::npos) return error(Errc::bad_parameter, "unclosed IPv6 host");
    host = hostport.substr(0, close + 1);
    for (const char c : host.substr(1, host.size() - 2)) {
      if (!is_hex(c) && c != ':' && c != '.') return error(Errc::bad_parameter, "bad IPv6 host");
    }
    if (host.size() < 3) return error(Errc::bad_parameter, "empty IPv6 host");
  } else {
    host = hostport.substr(0, hostport.find(':'));
    if (host.empty()) return error(Errc::bad_parameter, "empty host");
    for (const char c : host) {
      if (!is_alnum(c) && c != '-' && c != '.') {
        return error(Errc::bad_parameter, "bad host '" + std::string(host) + "'");
      }
    }
  }
  uri.host = std::string(host);
  std::string_view port = hostport.substr(host.size());
  if (!port.empty()) {
    if (port.front() != ':' || port.size() < 2 || port.size() > 6) {
      return error(Errc::bad_parameter, "bad port");
    }
    unsigned v = 0;
    for (const char c : port.substr(1)) {
      if (!is_digit(c)) return error(Errc::bad_parameter, "bad port");
      v = v * 10 + unsigned(c - '0');
    }
    if (v == 0 || v > 65535) return error(Errc::bad_parameter, "port out of range");
    uri.port = v;
  }
  if (semi != std::string_view::npos) {
    if (auto r = parse_params(host_part.substr(semi + 1), uri.uri_params, seen); !r) {
      return r.error();
    }
  }
  // A telephone number in the user part (user=phone, or tel parameters there) follows the tel
  // rules (RFC 3261 §19.1.6).
  const auto user_param = uri.param("user");
  if (!uri.params.empty() || (user_param && iequals(*user_param, "phone"))) {
    if (auto r = check_subscriber(uri.number, uri.params); !r) return r.error();
  }
  return uri;
}

void append_params(std::string& out, const std::vector<UriParameter>& params) {
  for (const auto& p : params) {
    out += ';';
    out += p.name;
    if (p.has_value) {
      out += '=';
      append_encoded(out, p.value, is_paramchar);
    }
  }
}

}  // namespace

std::optional<std::string_view> LineUri::param(std::string_view name) const {
  for (const auto* list : {&params, &uri_params}) {
    for (const auto& p : *list) {
      if (p.name == name) return std::string_view(p.value);
    }
  }
  return std::nullopt;
}

std::string LineUri::digits() const {
  std::string out;
  for (const char c : number) {
    if (!is_visual_separator(c)) out += c;
  }
  return out;
}

Result<LineUri> parse_line_uri(std::string_view text) {
  const auto colon = text.find(':');
  if (colon == std::string_view::npos) return error(Errc::bad_scheme, "no scheme");
  const std::string_view scheme = text.substr(0, colon);
  const std::string_view rest = text.substr(colon + 1);
  if (iequals(scheme, "tel")) return parse_tel(rest);
  if (iequals(scheme, "sip")) return parse_sip(rest, LineUri::Scheme::sip);
  if (iequals(scheme, "sips")) return parse_sip(rest, LineUri::Scheme::sips);
  return error(Errc::bad_scheme, "scheme '" + std::string(scheme) + "'");
}

std::string to_string(const LineUri& uri) {
  std::string out;
  switch (uri.scheme) {
    case LineUri::Scheme::tel:
      out = "tel:" + uri.number;
      append_params(out, uri.params);
      return out;
    case LineUri::Scheme::sip:
      out = "sip:";
      break;
    case LineUri::Scheme::sips:
      out = "sips:";
      break;
  }
  append_encoded(out, uri.number, is_userchar);
  append_params(out, uri.params);
  out += '@';
  out += uri.host;
  if (uri.port) out += ':' + std::to_string(*uri.port);
  append_params(out, uri.uri_params);
  return out;
}

bool same_line(const LineUri& a, const LineUri& b) {
  const auto same = [](std::optional<std::string_view> x, std::optional<std::string_view> y) {
    return x.has_value() == y.has_value() && (!x || iequals(*x, *y));
  };
  return iequals(a.digits(), b.digits()) && same(a.phone_context(), b.phone_context()) &&
         same(a.device(), b.device()) && same(a.partition(), b.partition());
}

}  // namespace rcc::csta
