#include "directory/ldap_filter.h"

#include <cctype>

#include "util/text.h"

namespace rcc::directory {

std::string escape_filter_value(std::string_view value) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c == 0x7f) {
      out += '\\';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    } else {
      out += ch;
    }
  }
  return out;
}

std::string equality_filter(std::string_view attribute, std::string_view value) {
  return "(" + std::string(attribute) + "=" + escape_filter_value(value) + ")";
}

std::string and_filter(std::string_view a, std::string_view b) {
  return "(&" + std::string(a) + std::string(b) + ")";
}

bool valid_attribute_name(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  const auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (alpha(name[0])) {
    for (const char c : name)
      if (!alpha(c) && !digit(c) && c != '-') return false;
    return true;
  }
  // numericoid: number *( DOT number ), no leading zeros beyond "0"
  bool start = true;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (c == '.') {
      if (start) return false;
      start = true;
    } else if (digit(c)) {
      if (start && c == '0' && i + 1 < name.size() && digit(name[i + 1])) return false;
      start = false;
    } else {
      return false;
    }
  }
  return !start;
}

Result<void> check_filter(std::string_view filter) {
  const auto bad = [](const std::string& what) { return Error(rcc::Errc::invalid_argument, what); };
  if (filter.size() < 3 || filter.front() != '(' || filter.back() != ')')
    return bad("must be one filter in parentheses, e.g. (objectClass=user)");
  int depth = 0;
  for (std::size_t i = 0; i < filter.size(); ++i) {
    const char c = filter[i];
    if (c == '\0') return bad("contains a NUL byte");
    if (c == '\\') {
      if (i + 2 >= filter.size() || !std::isxdigit(static_cast<unsigned char>(filter[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(filter[i + 2])))
        return bad("'\\' at offset " + std::to_string(i) +
                   " is not followed by two hex digits (RFC 4515 escaping)");
      i += 2;
    } else if (c == '(') {
      ++depth;
    } else if (c == ')') {
      if (--depth < 0) return bad("')' at offset " + std::to_string(i) + " closes nothing");
      if (depth == 0 && i + 1 != filter.size())
        return bad("text after the filter's closing ')' at offset " + std::to_string(i));
    }
  }
  if (depth != 0) return bad("a '(' is not closed");
  return {};
}

namespace {
std::string dn_key(std::string_view dn) {
  std::string out;
  out.reserve(dn.size());
  for (std::size_t i = 0; i < dn.size(); ++i) {
    const char c = dn[i];
    if (c == ' ') {
      // Spaces next to ',' '=' (or at either end) do not count.
      const bool before_sep =
          i + 1 < dn.size() && (dn[i + 1] == ',' || dn[i + 1] == '=' || dn[i + 1] == ' ');
      const bool after_sep = out.empty() || out.back() == ',' || out.back() == '=';
      if (before_sep || after_sep || i + 1 == dn.size()) continue;
    }
    out += util::ascii_lower(c);
  }
  return out;
}
}  // namespace

bool same_dn(std::string_view a, std::string_view b) {
  return dn_key(a) == dn_key(b);
}

}  // namespace rcc::directory
