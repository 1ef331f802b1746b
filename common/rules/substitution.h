#pragma once
// .NET substitution syntax for translation lines, expanded by hand over a PCRE2 match.
//
// $n and ${n} (n = all the digits that follow), ${name}, $$, $& (the match), $` (before it),
// $' (after it), $+ (the highest-numbered group), $_ (the whole input). A $n or ${name} that
// names no group is kept literally, as .NET does ($10 with one group is the text "$10"); a group
// that did not take part gives "". Everything else, backslash included, is literal.
// pcre2_substitute is not used: it differs from .NET in most of these (see the protocol notes).

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "rules/dotnet_regex.h"

namespace rcc::rules {

class Substitution {
 public:
  /// A literal or substitution token of a translation line.
  struct Token {
    enum class Kind { literal, group, before, after, whole_input };
    Kind kind = Kind::literal;
    std::string text;        ///< for literal
    int group = 0;           ///< for group: the PCRE2 group number (0 = the whole match)
    int dotnet = 0;          ///< for group: the .NET group number, as written
    std::size_t offset = 0;  ///< where the token starts in the translation text
  };
  /// A $n or ${name} that names no group of the pattern (kept literally; lint reports it).
  struct UnknownGroup {
    std::string token;
    std::size_t offset = 0;
  };

  Substitution() = default;
  Substitution(std::string_view translation, const TranslatedPattern& pattern);

  /// Appends the expansion for a match of `subject` to `out`. `ovector` is PCRE2's.
  void expand(std::string_view subject, const PCRE2_SIZE* ovector, std::string& out) const;

  const std::vector<Token>& tokens() const { return tokens_; }
  const std::vector<UnknownGroup>& unknown_groups() const { return unknown_; }

 private:
  void literal(std::string_view text, std::size_t offset);

  std::vector<Token> tokens_;
  std::vector<UnknownGroup> unknown_;
};

}  // namespace rcc::rules
