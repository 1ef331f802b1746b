#pragma once
// Small ASCII text helpers that every protocol needs: SIP header names, URI schemes, XML text,
// rule-file comments. Inline: the SIP parser calls them per header.

#include <cstddef>
#include <string>
#include <string_view>

namespace rcc::util {

constexpr char ascii_lower(char c) {
  return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c;
}

/// Equal ignoring ASCII case (SIP header names, URI schemes, e-mail addresses).
constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

/// `s` begins with `prefix`, ignoring ASCII case.
constexpr bool istarts_with(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

/// `s` without the leading and trailing characters in `chars` (by default space and tab, the
/// white space of SIP and of rule files).
constexpr std::string_view trim(std::string_view s, std::string_view chars = " \t") {
  const auto first = s.find_first_not_of(chars);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(chars) + 1 - first);
}

/// `s` safe for one log line: control characters (CR, LF, ESC...) become '?', so text a peer
/// sent cannot forge log lines or terminal escapes.
inline std::string printable(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  return out;
}

}  // namespace rcc::util
