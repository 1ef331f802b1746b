#include "rules/pattern_shape.h"

namespace rcc::rules {
namespace {

using Node = Shape::Node;
using Seq = std::vector<Node>;

CharSet ascii_range(char from, char to) {
  CharSet s;
  for (int c = from; c <= to; ++c)
    s.ascii.set(std::size_t(c));
  return s;
}
CharSet single(char c) {
  return ascii_range(c, c);
}
CharSet digits() {
  CharSet s = ascii_range('0', '9');
  s.other = CharSet::kOtherDigit;
  return s;
}
CharSet spaces() {
  CharSet s;
  for (char c : {'\t', '\n', '\v', '\f', '\r', ' '})
    s.ascii.set(std::size_t(c));
  s.other = CharSet::kOtherSpace;
  return s;
}
CharSet complement(const CharSet& s) {
  CharSet out;
  out.ascii = ~s.ascii;
  out.other = ~s.other & 7u;
  return out;
}
CharSet lync_stripped() {
  CharSet s = spaces();
  for (char c : {'!', '@', '.', '-', '*', '(', ')'})
    s.ascii.set(std::size_t(c));
  return s;
}

// Parses the .NET pattern text into nodes. Never fails: what it does not model becomes unknown.
class Parser {
 public:
  explicit Parser(std::string_view p) : p_(p) {}

  Node parse() {
    Node root;
    root.kind = Node::Kind::group;
    root.alternatives = alternatives();
    if (i_ < p_.size()) poisoned_ = true;  // an unbalanced ')'
    return root;
  }
  bool poisoned() const { return poisoned_; }

 private:
  std::vector<Seq> alternatives() {
    std::vector<Seq> alts(1);
    while (i_ < p_.size() && p_[i_] != ')') {
      if (p_[i_] == '|') {
        ++i_;
        alts.emplace_back();
        continue;
      }
      Node n = atom();
      quantifier(n);
      alts.back().push_back(std::move(n));
    }
    return alts;
  }

  Node set_node(CharSet s) {
    Node n;
    n.kind = Node::Kind::set;
    n.set = s;
    return n;
  }

  Node atom() {
    const char c = p_[i_];
    if (static_cast<unsigned char>(c) >= 0x80) {
      ++i_;
      while (i_ < p_.size() && (static_cast<unsigned char>(p_[i_]) & 0xC0) == 0x80)
        ++i_;
      return Node{};  // a non-ASCII literal: unknown
    }
    switch (c) {
      case '^': {
        ++i_;
        Node n;
        n.kind = Node::Kind::start;
        return n;
      }
      case '$': {
        ++i_;
        Node n;
        n.kind = Node::Kind::end;
        return n;
      }
      case '.':
        ++i_;
        return set_node(complement(single('\n')));
      case '[':
        return char_class();
      case '(':
        return group();
      case '\\': {
        auto s = escape();
        return s ? set_node(*s) : Node{};
      }
      default:
        ++i_;
        return set_node(single(c));
    }
  }

  // An escape outside or inside a class; advances past it. nullopt: not modelled.
  std::optional<CharSet> escape() {
    if (i_ + 1 >= p_.size()) {
      ++i_;
      return std::nullopt;
    }
    const char c = p_[i_ + 1];
    i_ += 2;
    switch (c) {
      case 'd':
        return digits();
      case 'D':
        return complement(digits());
      case 's':
        return spaces();
      case 'S':
        return complement(spaces());
      case 't':
        return single('\t');
      case 'n':
        return single('\n');
      case 'r':
        return single('\r');
      case 'f':
        return single('\f');
      default:
        break;
    }
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
        static_cast<unsigned char>(c) >= 0x80) {
      // \w \b \p{..} \x41 \1 ... : skip what belongs to the escape, do not model it.
      if ((c == 'p' || c == 'P') && i_ < p_.size() && p_[i_] == '{') {
        const auto close = p_.find('}', i_);
        i_ = close == std::string_view::npos ? p_.size() : close + 1;
      } else if (c == 'k' && i_ < p_.size()) {
        const char end = p_[i_] == '<' ? '>' : '\'';
        const auto close = p_.find(end, i_ + 1);
        i_ = close == std::string_view::npos ? p_.size() : close + 1;
      }
      return std::nullopt;
    }
    return single(c);  // escaped punctuation or space: itself
  }

  Node char_class() {
    ++i_;
    bool negate = false;
    if (i_ < p_.size() && p_[i_] == '^') {
      negate = true;
      ++i_;
    }
    CharSet s;
    bool known = true;
    bool first = true;
    int previous = -1;  // the last single ASCII character, for ranges; -1 none
    while (i_ < p_.size() && (p_[i_] != ']' || first)) {
      first = false;
      const char c = p_[i_];
      if (c == '\\') {
        auto e = escape();
        if (!e) known = false;
        if (e && e->other == 0 && e->ascii.count() == 1) {
          for (std::size_t k = 0; k < 128; ++k) {
            if (e->ascii.test(k)) previous = int(k);
          }
        } else {
          previous = -1;
        }
        if (e) {
          s.ascii |= e->ascii;
          s.other |= e->other;
        }
        continue;
      }
      if (static_cast<unsigned char>(c) >= 0x80 || c == '[') {
        known = false;
        ++i_;
        previous = -1;
        continue;
      }
      if (c == '-' && previous >= 0 && i_ + 1 < p_.size() && p_[i_ + 1] != ']') {
        const char to = p_[i_ + 1];
        if (to == '\\' || static_cast<unsigned char>(to) >= 0x80 || to < previous) {
          known = false;
          i_ += 2;
        } else {
          s.ascii |= ascii_range(char(previous), to).ascii;
          i_ += 2;
        }
        previous = -1;
        continue;
      }
      s.ascii.set(std::size_t(c));
      previous = c;  // ASCII: non-ASCII was handled above
      ++i_;
    }
    if (i_ < p_.size()) ++i_;  // ']'
    if (!known) return Node{};
    return set_node(negate ? complement(s) : s);
  }

  Node group() {
    ++i_;
    bool modelled = true;
    if (i_ < p_.size() && p_[i_] == '?') {
      // (?:...) and named groups are plain groups; everything else is not modelled.
      if (i_ + 1 < p_.size() && p_[i_ + 1] == ':') {
        i_ += 2;
      } else if (i_ + 2 < p_.size() && (p_[i_ + 1] == '<' || p_[i_ + 1] == '\'') &&
                 p_[i_ + 2] != '=' && p_[i_ + 2] != '!') {
        const char end = p_[i_ + 1] == '<' ? '>' : '\'';
        const auto close = p_.find(end, i_ + 2);
        i_ = close == std::string_view::npos ? p_.size() : close + 1;
      } else {
        modelled = false;
        // Inline options change how everything after them reads: give up on the pattern.
        const char k = i_ + 1 < p_.size() ? p_[i_ + 1] : '\0';
        if (k == 'i' || k == 'm' || k == 'n' || k == 's' || k == 'x' || k == '-') poisoned_ = true;
        ++i_;
      }
    }
    Node n;
    n.kind = modelled ? Node::Kind::group : Node::Kind::unknown;
    n.alternatives = alternatives();
    if (i_ < p_.size()) ++i_;  // ')'
    if (!modelled) n.alternatives.clear();
    return n;
  }

  void quantifier(Node& n) {
    if (i_ >= p_.size()) return;
    const char c = p_[i_];
    int min = 1, max = 1;
    if (c == '*') {
      min = 0, max = -1, ++i_;
    } else if (c == '+') {
      min = 1, max = -1, ++i_;
    } else if (c == '?') {
      min = 0, max = 1, ++i_;
    } else if (c == '{') {
      std::size_t j = i_ + 1;
      auto number = [&](int& out) {
        const std::size_t start = j;
        long v = 0;
        while (j < p_.size() && p_[j] >= '0' && p_[j] <= '9') {
          v = std::min(v * 10 + (p_[j] - '0'), 100000L);
          ++j;
        }
        out = int(v);
        return j > start;
      };
      if (!number(min)) return;  // a literal '{' follows as its own atom
      max = min;
      if (j < p_.size() && p_[j] == ',') {
        ++j;
        if (!number(max)) max = -1;
      }
      if (j >= p_.size() || p_[j] != '}') return;
      i_ = j + 1;
    } else {
      return;
    }
    if (i_ < p_.size() && p_[i_] == '?') ++i_;  // lazy: same language
    if (n.kind == Node::Kind::start || n.kind == Node::Kind::end) n.kind = Node::Kind::unknown;
    n.min = min;
    n.max = max;
  }

  std::string_view p_;
  std::size_t i_ = 0;
  bool poisoned_ = false;
};

// --- facts about node trees ---------------------------------------------------------------

bool fully_known(const Seq& seq);
bool fully_known(const Node& n) {
  if (n.kind == Node::Kind::unknown || n.kind == Node::Kind::start || n.kind == Node::Kind::end) {
    return false;
  }
  if (n.kind == Node::Kind::group) {
    for (const auto& alt : n.alternatives) {
      if (!fully_known(alt)) return false;
    }
  }
  return true;
}
bool fully_known(const Seq& seq) {
  for (const auto& n : seq) {
    if (!fully_known(n)) return false;
  }
  return true;
}

// Shortest length a sequence can match (it is all known and anchor-free).
long min_length(const Seq& seq);
long min_length(const Node& n) {
  if (n.kind == Node::Kind::set) return n.min;
  long best = -1;
  for (const auto& alt : n.alternatives) {
    const long l = min_length(alt);
    if (best < 0 || l < best) best = l;
  }
  return long(n.min) * std::max(best, 0L);
}
long min_length(const Seq& seq) {
  long total = 0;
  for (const auto& n : seq)
    total += min_length(n);
  return total;
}

// A pattern of fixed length: a class per position, optionally anchored at either end.
struct Flat {
  bool start = false, end = false;
  std::vector<CharSet> positions;
};

bool flatten_into(const Seq& seq, std::vector<CharSet>& out) {
  for (const auto& n : seq) {
    if (n.min != n.max || n.max < 0 || n.min > 64) return false;
    if (n.kind == Node::Kind::set) {
      out.insert(out.end(), std::size_t(n.min), n.set);
    } else if (n.kind == Node::Kind::group && n.alternatives.size() == 1) {
      std::vector<CharSet> inner;
      if (!flatten_into(n.alternatives[0], inner)) return false;
      for (int k = 0; k < n.min; ++k)
        out.insert(out.end(), inner.begin(), inner.end());
    } else {
      return false;
    }
    if (out.size() > 256) return false;
  }
  return true;
}

std::optional<Flat> flatten(const Node& root) {
  if (root.alternatives.size() != 1) return std::nullopt;
  Seq seq = root.alternatives[0];
  Flat flat;
  if (!seq.empty() && seq.front().kind == Node::Kind::start) {
    flat.start = true;
    seq.erase(seq.begin());
  }
  if (!seq.empty() && seq.back().kind == Node::Kind::end) {
    flat.end = true;
    seq.pop_back();
  }
  if (!flatten_into(seq, flat.positions)) return std::nullopt;
  return flat;
}

// Does `outer` (an earlier rule) match every string `inner` (a later rule) matches?
bool window_covers(const Flat& outer, const Flat& inner) {
  const std::size_t n = inner.positions.size(), k = outer.positions.size();
  if (k > n) return false;
  auto fits_at = [&](std::size_t offset) {
    for (std::size_t p = 0; p < k; ++p) {
      if (!inner.positions[offset + p].subset_of(outer.positions[p])) return false;
    }
    return true;
  };
  if (outer.start && outer.end) return inner.start && inner.end && n == k && fits_at(0);
  if (outer.start) return inner.start && fits_at(0);
  if (outer.end) return inner.end && fits_at(n - k);
  for (std::size_t offset = 0; offset + k <= n; ++offset) {
    if (fits_at(offset)) return true;
  }
  return false;
}

std::optional<std::string> describe(const CharSet& s) {
  if (s.empty()) return std::nullopt;
  if (s.subset_of(spaces())) return std::string("whitespace");
  std::string chars;
  for (std::size_t c = 33; c < 127; ++c) {
    if (s.ascii.test(c))
      chars += chars.empty() ? "'" + std::string(1, char(c)) + "'"
                             : " or '" + std::string(1, char(c)) + "'";
  }
  if (!s.ascii.test(' ') && (s.ascii & spaces().ascii).none()) return chars;
  return chars + " or whitespace";
}

std::optional<std::string> required_stripped(const Node& group);
std::optional<std::string> required_stripped(const Seq& seq) {
  static const CharSet kStripped = lync_stripped();
  for (const auto& n : seq) {
    if (n.min < 1) continue;
    if (n.kind == Node::Kind::set && n.set.subset_of(kStripped)) return describe(n.set);
    if (n.kind == Node::Kind::group) {
      if (auto r = required_stripped(n)) return r;
    }
  }
  return std::nullopt;
}
std::optional<std::string> required_stripped(const Node& group) {
  std::optional<std::string> first;
  for (const auto& alt : group.alternatives) {
    auto r = required_stripped(alt);
    if (!r) return std::nullopt;  // this alternative can do without
    if (!first) first = r;
  }
  return first;
}

// Adds what `n` can begin with to `out`; returns true when `n` can match nothing (so what
// follows it can begin the match too).
bool first_of(const Seq& seq, std::bitset<257>& out);
bool first_of(const Node& n, std::bitset<257>& out) {
  switch (n.kind) {
    case Node::Kind::start:
    case Node::Kind::end:
      return true;
    case Node::Kind::unknown:
      out.set();
      return true;
    case Node::Kind::set:
      for (std::size_t c = 0; c < 128; ++c) {
        if (n.set.ascii.test(c)) out.set(c);
      }
      if (n.set.other) {
        for (std::size_t b = 0x80; b < 0x100; ++b)
          out.set(b);
      }
      return n.min == 0;
    case Node::Kind::group: {
      bool empty = false;
      for (const auto& alt : n.alternatives)
        empty = first_of(alt, out) || empty;
      return empty || n.min == 0;
    }
  }
  out.set();
  return true;
}
bool first_of(const Seq& seq, std::bitset<257>& out) {
  for (const auto& n : seq) {
    if (!first_of(n, out)) return false;
  }
  return true;
}

}  // namespace

std::bitset<257> first_bytes(const Rule& rule) {
  std::bitset<257> out;
  if (!rule.regex) return out.set();
  Parser parser(rule.pattern);
  const Node root = parser.parse();
  if (parser.poisoned() || first_of(root, out)) out.set();  // unknown, or can match empty
  return out;
}

Shape analyze(const Rule& rule) {
  Shape shape;
  if (rule.e164) {
    shape.kind_ = Shape::Kind::e164;
    return shape;
  }
  if (!rule.regex) return shape;
  Parser parser(rule.pattern);
  Node root = parser.parse();
  if (parser.poisoned()) return shape;
  shape.kind_ = Shape::Kind::regex;
  shape.root_ = std::move(root);
  return shape;
}

bool Shape::covers(const Shape& later) const {
  if (kind_ == Kind::unknown || later.kind_ == Kind::unknown) return false;
  if (kind_ == Kind::regex && fully_known(root_) && min_length(root_) == 0) {
    return true;  // an unanchored pattern that matches the empty string matches every number
  }
  if (later.kind_ != Kind::regex) return false;
  const auto inner = flatten(later.root_);
  if (!inner) return false;
  if (kind_ == Kind::e164) {
    // E164 takes 1 to 15 ASCII digits with spaces, periods, hyphens and parentheses ignored.
    CharSet allowed = ascii_range('0', '9');
    for (char c : {' ', '.', '-', '(', ')'})
      allowed.ascii.set(std::size_t(c));
    const CharSet ascii_digits = ascii_range('0', '9');
    if (!inner->start || !inner->end || inner->positions.empty() || inner->positions.size() > 15) {
      return false;
    }
    bool some_digit = false;
    for (const auto& p : inner->positions) {
      if (p.empty() || !p.subset_of(allowed)) return false;
      some_digit = some_digit || p.subset_of(ascii_digits);
    }
    return some_digit;
  }
  const auto outer = flatten(root_);
  return outer && window_covers(*outer, *inner);
}

std::optional<std::string> Shape::requires_stripped_character() const {
  if (kind_ != Kind::regex) return std::nullopt;
  return required_stripped(root_);
}

}  // namespace rcc::rules
