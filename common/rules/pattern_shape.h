#pragma once
// A conservative model of simple rule patterns, for the two lints that need proofs:
//   Shape::covers(later): every number `later` matches is matched by this pattern too, so a
//     later rule can never apply (shadowed);
//   Shape::requires_stripped_character(): the pattern cannot match without a character that
//     Lync strips before applying rules.
// The model understands literals, escapes such as \d \s \., classes, '.', groups, alternation,
// quantifiers and ^ $. Anything else (lookaround, back-references, inline options, \w, \p, a
// non-ASCII literal) makes the parts it touches unknown, and unknown never proves anything:
// these lints report only what they can prove.

#include <bitset>
#include <optional>
#include <string>
#include <vector>

#include "rules/rule_file.h"

namespace rcc::rules {

/// A set of characters: ASCII exactly, everything else in three buckets (Unicode decimal digits,
/// Unicode white space, all other characters), which is exact for \d \s . and their negations.
struct CharSet {
  enum : unsigned { kOtherDigit = 1, kOtherSpace = 2, kOtherRest = 4 };
  std::bitset<128> ascii;
  unsigned other = 0;

  bool subset_of(const CharSet& o) const {
    return (ascii & ~o.ascii).none() && (other & ~o.other) == 0;
  }
  bool empty() const { return ascii.none() && other == 0; }
};

class Shape {
 public:
  struct Node {
    enum class Kind { set, group, start, end, unknown };
    Kind kind = Kind::unknown;
    CharSet set;                                  ///< for set
    std::vector<std::vector<Node>> alternatives;  ///< for group (and the whole pattern)
    int min = 1;
    int max = 1;  ///< -1: unbounded
  };

  bool covers(const Shape& later) const;
  /// A description of a character the pattern always needs that Lync strips, if there is one.
  std::optional<std::string> requires_stripped_character() const;

 private:
  friend Shape analyze(const Rule& rule);

  /// Bytes a match of `rule`'s pattern, started at offset 0, can begin with: bit b for byte b,
  /// bit 256 when it can match an empty subject. A superset: whatever the model does not know
  /// sets every bit. Used to skip rules that cannot match a number's first byte.
  std::bitset<257> first_bytes(const Rule& rule);
  enum class Kind { unknown, e164, regex };
  Kind kind_ = Kind::unknown;
  Node root_;  ///< a group node holding the pattern's top-level alternatives
};

Shape analyze(const Rule& rule);

/// Bytes a match of `rule`'s pattern, started at offset 0, can begin with: bit b for byte b,
/// bit 256 when it can match an empty subject. A superset: whatever the model does not know
/// sets every bit. Used to skip rules that cannot match a number's first byte.
std::bitset<257> first_bytes(const Rule& rule);

}  // namespace rcc::rules
