#include "rules/substitution.h"

namespace rcc::rules {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_word(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// A .NET group number written as digits, or -1 when it is too large to be one.
int parse_number(std::string_view digits) {
  if (digits.size() > 6) return -1;
  int n = 0;
  for (char c : digits)
    n = n * 10 + (c - '0');
  return n;
}

}  // namespace

void Substitution::literal(std::string_view text, std::size_t offset) {
  if (!tokens_.empty() && tokens_.back().kind == Token::Kind::literal) {
    tokens_.back().text.append(text);
    return;
  }
  Token t;
  t.text = std::string(text);
  t.offset = offset;
  tokens_.push_back(std::move(t));
}

Substitution::Substitution(std::string_view s, const TranslatedPattern& pattern) {
  auto group_token = [&](int dotnet, std::size_t offset) {
    Token t;
    t.kind = Token::Kind::group;
    t.dotnet = dotnet;
    t.group = pattern.pcre2_group[std::size_t(dotnet)];
    t.offset = offset;
    tokens_.push_back(t);
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t dollar = s.find('$', i);
    if (dollar == std::string_view::npos) {
      literal(s.substr(i), i);
      break;
    }
    if (dollar > i) literal(s.substr(i, dollar - i), i);
    i = dollar + 1;
    if (i >= s.size()) {
      literal("$", dollar);
      break;
    }
    const char c = s[i];
    if (is_digit(c)) {
      std::size_t j = i;
      while (j < s.size() && is_digit(s[j]))
        ++j;
      const int n = parse_number(s.substr(i, j - i));
      if (n >= 0 && n <= pattern.group_count) {
        group_token(n, dollar);
        i = j;
      } else {
        unknown_.push_back({std::string(s.substr(dollar, j - dollar)), dollar});
        literal("$", dollar);  // the digits follow as literal text
      }
    } else if (c == '{') {
      const std::size_t close = s.find('}', i);
      const std::string_view name =
          close == std::string_view::npos ? std::string_view() : s.substr(i + 1, close - i - 1);
      int n = -1;
      if (!name.empty() && is_digit(name[0])) {
        bool digits = true;
        for (char d : name)
          digits = digits && is_digit(d);
        if (digits) n = parse_number(name);
        if (n > pattern.group_count) n = -1;
      } else if (auto it = pattern.names.find(std::string(name)); it != pattern.names.end()) {
        n = it->second;
      }
      if (n >= 0) {
        group_token(n, dollar);
        i = close + 1;
      } else {
        bool word = !name.empty();
        for (char d : name)
          word = word && is_word(d);
        if (word) unknown_.push_back({std::string(s.substr(dollar, close + 1 - dollar)), dollar});
        literal("$", dollar);
      }
    } else if (c == '$') {
      literal("$", dollar);
      ++i;
    } else if (c == '&') {
      group_token(0, dollar);
      ++i;
    } else if (c == '+') {
      group_token(pattern.group_count, dollar);
      ++i;
    } else if (c == '`' || c == '\'' || c == '_') {
      Token t;
      t.kind = c == '`'    ? Token::Kind::before
               : c == '\'' ? Token::Kind::after
                           : Token::Kind::whole_input;
      t.offset = dollar;
      tokens_.push_back(t);
      ++i;
    } else {
      literal("$", dollar);
    }
  }
}

void Substitution::expand(std::string_view subject, const PCRE2_SIZE* ovector,
                          std::string& out) const {
  for (const auto& t : tokens_) {
    switch (t.kind) {
      case Token::Kind::literal:
        out.append(t.text);
        break;
      case Token::Kind::group: {
        const PCRE2_SIZE start = ovector[2 * t.group];
        const PCRE2_SIZE end = ovector[2 * t.group + 1];
        if (start != PCRE2_UNSET && end >= start) out.append(subject.substr(start, end - start));
        break;
      }
      case Token::Kind::before:
        out.append(subject.substr(0, ovector[0]));
        break;
      case Token::Kind::after:
        out.append(subject.substr(ovector[1]));
        break;
      case Token::Kind::whole_input:
        out.append(subject);
        break;
    }
  }
}

}  // namespace rcc::rules
