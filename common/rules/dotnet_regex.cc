#include "rules/dotnet_regex.h"

#include <optional>

#include "util/utf8.h"

namespace rcc::rules {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool is_ascii_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_name_char(char c) {
  return is_ascii_alpha(c) || is_digit(c) || c == '_';
}

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!is_digit(c)) return false;
  }
  return true;
}

bool is_identifier(std::string_view s) {
  if (s.empty() || is_digit(s[0])) return false;
  for (char c : s) {
    if (!is_name_char(c)) return false;
  }
  return true;
}

// PCRE2 limits group names to 32 code units.
constexpr std::size_t kMaxNameLength = 32;

struct Group {
  bool named = false;
  std::string name;
};

// Scope of inline options: each group opens a frame; (?n) and (?x) change the innermost one.
struct Frame {
  bool explicit_capture = false;
  bool extended = false;
};

// One left-to-right scan of a .NET pattern. Run twice: the first run only collects the capturing
// groups; the second, knowing the .NET numbering, emits the PCRE2 pattern.
class Translator {
 public:
  Translator(std::string_view pattern, const TranslatedPattern* numbering)
      : p_(pattern), numbering_(numbering) {}

  std::optional<PatternProblem> run() {
    frames_.push_back(Frame{});
    while (i_ < p_.size()) {
      if (auto problem = step()) return problem;
    }
    source_.push_back(p_.size());
    return std::nullopt;
  }

  std::vector<Group> groups;
  std::string out;
  std::vector<std::size_t> source_;

 private:
  Frame& top() { return frames_.back(); }

  void emit(std::string_view text, std::size_t src) {
    out.append(text);
    source_.insert(source_.end(), text.size(), src);
  }
  // Copies the whole UTF-8 character at i_ and advances past it.
  void copy_char() {
    const std::size_t n =
        std::min(util::utf8_sequence_length(static_cast<unsigned char>(p_[i_])), p_.size() - i_);
    emit(p_.substr(i_, n), i_);
    i_ += n;
  }
  static PatternProblem problem(std::size_t at, std::string what) { return {at, std::move(what)}; }

  std::optional<PatternProblem> step() {
    const char c = p_[i_];
    if (top().extended && c == '#') {  // x mode: a comment runs to the end of the line
      emit(p_.substr(i_), i_);
      i_ = p_.size();
      return std::nullopt;
    }
    switch (c) {
      case '\\':
        return escape(false);
      case '[':
        return char_class();
      case '(':
        return open_group();
      case ')':
        if (frames_.size() > 1) frames_.pop_back();
        copy_char();
        return std::nullopt;
      case '*':
      case '+':
      case '?':
        copy_char();
        return after_quantifier();
      case '{':
        return brace();
      default:
        copy_char();
        return std::nullopt;
    }
  }

  // A quantifier followed by '+' is possessive in PCRE2 and an error ("nested quantifier") in .NET.
  std::optional<PatternProblem> after_quantifier() {
    if (i_ < p_.size() && p_[i_] == '+') {
      return problem(
          i_, "possessive quantifier is PCRE2 syntax, not valid in .NET (nested quantifier)");
    }
    return std::nullopt;
  }

  std::optional<PatternProblem> brace() {
    // {n}, {n,}, {n,m} are quantifiers; anything else is a literal brace in both dialects.
    std::size_t j = i_ + 1;
    const std::size_t digits_start = j;
    while (j < p_.size() && is_digit(p_[j]))
      ++j;
    bool quantifier = j > digits_start;
    if (quantifier && j < p_.size() && p_[j] == ',') {
      ++j;
      while (j < p_.size() && is_digit(p_[j]))
        ++j;
    }
    quantifier = quantifier && j < p_.size() && p_[j] == '}';
    if (!quantifier) {
      copy_char();
      return std::nullopt;
    }
    emit(p_.substr(i_, j + 1 - i_), i_);
    i_ = j + 1;
    return after_quantifier();
  }

  std::optional<PatternProblem> escape(bool in_class) {
    const std::size_t at = i_;
    if (i_ + 1 >= p_.size()) return problem(at, "illegal \\ at the end of the pattern");
    const char c = p_[i_ + 1];
    switch (c) {
      case 'd':
      case 'D':
      case 'w':
      case 'W':
      case 's':
      case 'S':
      case 'n':
      case 't':
      case 'r':
      case 'f':
      case 'e':
      case 'a':
      case 'b':
        emit(p_.substr(i_, 2), at);
        i_ += 2;
        return std::nullopt;
      case 'B':
      case 'A':
      case 'G':
      case 'Z':
      case 'z':
        if (in_class)
          return problem(at, std::string("\\") + c + " is not allowed in a character class");
        emit(p_.substr(i_, 2), at);
        i_ += 2;
        return std::nullopt;
      case 'v':  // .NET: U+000B only; PCRE2's \v is any vertical space
        emit("\\x0B", at);
        i_ += 2;
        return std::nullopt;
      case 'x':
        if (i_ + 3 < p_.size() && is_hex(p_[i_ + 2]) && is_hex(p_[i_ + 3])) {
          emit(p_.substr(i_, 4), at);
          i_ += 4;
          return std::nullopt;
        }
        return problem(at, "\\x needs exactly two hex digits (\\x{...} is PCRE2 syntax)");
      case 'u':
        for (std::size_t k = 2; k < 6; ++k) {
          if (i_ + k >= p_.size() || !is_hex(p_[i_ + k])) {
            return problem(at, "\\u needs exactly four hex digits");
          }
        }
        emit(p_.substr(i_, 6), at);
        i_ += 6;
        return std::nullopt;
      case 'c':
        if (i_ + 2 >= p_.size() || !is_ascii_alpha(p_[i_ + 2])) {
          return problem(at, "\\c needs a control letter A-Z");
        }
        emit(p_.substr(i_, 3), at);
        i_ += 3;
        return std::nullopt;
      case 'p':
      case 'P':
        return property(at);
      case 'k':
        if (in_class) break;
        return named_reference(at);
      case '0': {
        // Octal: \0 and up to two more octal digits, the same in both dialects.
        std::size_t j = i_ + 2;
        while (j < p_.size() && j < i_ + 4 && p_[j] >= '0' && p_[j] <= '7')
          ++j;
        emit(p_.substr(i_, j - i_), at);
        i_ = j;
        return std::nullopt;
      }
      default:
        break;
    }
    if (is_digit(c)) {
      if (in_class)
        return problem(at, "back-reference \\" + std::string(1, c) + " in a character class");
      return numeric_reference(at);
    }
    if (is_ascii_alpha(c)) {
      static constexpr std::string_view kPcre2Only = "KQEhHRNXgoC";
      if (kPcre2Only.find(c) != std::string_view::npos) {
        return problem(at, std::string("\\") + c + " is PCRE2 syntax, not valid in .NET");
      }
      return problem(at, std::string("unrecognized escape sequence \\") + c);
    }
    // Backslash before punctuation, a space or any other character: that character, literally.
    emit("\\", at);
    ++i_;
    copy_char();
    return std::nullopt;
  }

  std::optional<PatternProblem> property(std::size_t at) {
    if (i_ + 2 >= p_.size() || p_[i_ + 2] != '{') return problem(at, "\\p needs a {Name}");
    const auto close = p_.find('}', i_ + 3);
    if (close == std::string_view::npos) return problem(at, "\\p{ has no closing }");
    const auto name = p_.substr(i_ + 3, close - i_ - 3);
    if (name.substr(0, 2) == "Is") {
      return problem(at,
                     "Unicode block \\p{" + std::string(name) +
                         "} is not supported (PCRE2 has scripts such as \\p{Greek}, not blocks)");
    }
    emit(p_.substr(i_, close + 1 - i_), at);
    i_ = close + 1;
    return std::nullopt;
  }

  // \k<name>, \k'name', \k<3>
  std::optional<PatternProblem> named_reference(std::size_t at) {
    if (i_ + 2 >= p_.size() || (p_[i_ + 2] != '<' && p_[i_ + 2] != '\'')) {
      return problem(at, "\\k needs <name> or 'name'");
    }
    const char terminator = p_[i_ + 2] == '<' ? '>' : '\'';
    const auto close = p_.find(terminator, i_ + 3);
    if (close == std::string_view::npos)
      return problem(at, "\\k reference has no closing " + std::string(1, terminator));
    const std::string name(p_.substr(i_ + 3, close - i_ - 3));
    i_ = close + 1;
    if (!numbering_) {
      emit("\\k<x>", at);  // placeholder: the first pass only counts groups
      return std::nullopt;
    }
    if (all_digits(name)) return emit_reference(at, name);
    if (!numbering_->names.count(name))
      return problem(at, "reference to undefined group name '" + name + "'");
    emit("\\k<" + name + ">", at);
    return std::nullopt;
  }

  std::optional<PatternProblem> numeric_reference(std::size_t at) {
    std::size_t j = i_ + 1;
    while (j < p_.size() && is_digit(p_[j]))
      ++j;
    const std::string digits(p_.substr(i_ + 1, j - i_ - 1));
    i_ = j;
    if (!numbering_) {
      emit("\\g{1}", at);
      return std::nullopt;
    }
    return emit_reference(at, digits);
  }

  std::optional<PatternProblem> emit_reference(std::size_t at, const std::string& digits) {
    const int n = digits.size() > 4 ? 100000 : std::stoi(digits);
    if (n < 1 || n > numbering_->group_count) {
      return problem(at, "reference to undefined group number " + digits);
    }
    emit("\\g{" + std::to_string(numbering_->pcre2_group[n]) + "}", at);
    return std::nullopt;
  }

  std::optional<PatternProblem> char_class() {
    const std::size_t open = i_;
    emit("[", i_++);
    if (i_ < p_.size() && p_[i_] == '^') emit("^", i_++);
    bool first = true;
    while (i_ < p_.size()) {
      const char c = p_[i_];
      if (c == ']' && !first) {
        emit("]", i_++);
        return std::nullopt;
      }
      if (c == '\\') {
        if (auto problem = escape(true)) return problem;
      } else if (c == '-' && !first && i_ + 1 < p_.size() && p_[i_ + 1] == '[') {
        return problem(i_,
                       ".NET character class subtraction -[...] is not supported by this tester");
      } else if (c == '[') {
        if (i_ + 1 < p_.size() && (p_[i_ + 1] == ':' || p_[i_ + 1] == '.' || p_[i_ + 1] == '=')) {
          const char kind = p_[i_ + 1];
          const auto end = p_.find(std::string{kind, ']'}, i_ + 2);
          if (end != std::string_view::npos) {
            return problem(i_, std::string("POSIX class [") + kind + "..." + kind +
                                   "] is PCRE2 syntax; .NET reads it as literal characters");
          }
        }
        emit("\\[", i_++);  // a literal '[' in .NET; escaped so PCRE2 agrees
      } else {
        copy_char();
      }
      first = false;
    }
    return problem(open, "character class has no closing ]");
  }

  std::optional<PatternProblem> open_group() {
    const std::size_t at = i_;
    const char next = i_ + 1 < p_.size() ? p_[i_ + 1] : '\0';
    if (next == '*') return problem(at, "(*VERB) is PCRE2 syntax, not valid in .NET");
    if (next != '?') {
      if (top().explicit_capture) {
        emit("(?:", at);
      } else {
        groups.push_back(Group{});
        emit("(", at);
      }
      frames_.push_back(top());
      ++i_;
      return std::nullopt;
    }
    const char kind = i_ + 2 < p_.size() ? p_[i_ + 2] : '\0';
    switch (kind) {
      case ':':
      case '=':
      case '!':
      case '>':
        emit(p_.substr(i_, 3), at);
        frames_.push_back(top());
        i_ += 3;
        return std::nullopt;
      case '#': {
        const auto close = p_.find(')', i_);
        if (close == std::string_view::npos) return problem(at, "unterminated (?#...) comment");
        emit(p_.substr(i_, close + 1 - i_), at);
        i_ = close + 1;
        return std::nullopt;
      }
      case '<':
        if (i_ + 3 < p_.size() && (p_[i_ + 3] == '=' || p_[i_ + 3] == '!')) {
          emit(p_.substr(i_, 4), at);
          frames_.push_back(top());
          i_ += 4;
          return std::nullopt;
        }
        return named_group(at, '>');
      case '\'':
        return named_group(at, '\'');
      case '(':
        return conditional(at);
      default:
        break;
    }
    if (kind == '-' || kind == 'i' || kind == 'm' || kind == 'n' || kind == 's' || kind == 'x') {
      return options(at);
    }
    return problem(at, "(?" + std::string(1, kind) + " is PCRE2 syntax, not valid in .NET");
  }

  std::optional<PatternProblem> named_group(std::size_t at, char terminator) {
    const auto close = p_.find(terminator, i_ + 3);
    if (close == std::string_view::npos)
      return problem(at, "group name has no closing " + std::string(1, terminator));
    const std::string name(p_.substr(i_ + 3, close - i_ - 3));
    if (name.find('-') != std::string::npos) {
      return problem(at,
                     ".NET balancing group (?<" + name + ">...) is not supported by this tester");
    }
    if (all_digits(name)) {
      return problem(
          at, "numbered group (?<" + name + ">...) is not supported; use a name or plain (...)");
    }
    if (!is_identifier(name) || name.size() > kMaxNameLength) {
      return problem(at, "group name '" + name +
                             "' is not supported (ASCII letters, digits and _, at most 32, not "
                             "starting with a digit)");
    }
    for (const auto& g : groups) {
      if (g.named && g.name == name) {
        return problem(at,
                       "group name '" + name + "' is used twice; this tester needs unique names");
      }
    }
    groups.push_back(Group{true, name});
    emit("(?<" + name + ">", at);
    frames_.push_back(top());
    i_ = close + 1;
    return std::nullopt;
  }

  // (?imnsx-imnsx) and (?imnsx-imnsx:...). 'n' (explicit capture) is applied here, by making
  // unnamed groups non-capturing, so that it is left out of what PCRE2 sees.
  std::optional<PatternProblem> options(std::size_t at) {
    std::size_t j = i_ + 2;
    bool on = true;
    Frame frame = top();
    std::string kept;
    for (; j < p_.size() && p_[j] != ')' && p_[j] != ':'; ++j) {
      const char c = p_[j];
      if (c == '-') {
        on = false;
        kept += c;
      } else if (c == 'n') {
        frame.explicit_capture = on;
      } else if (c == 'i' || c == 'm' || c == 's' || c == 'x') {
        if (c == 'x') frame.extended = on;
        kept += c;
      } else {
        return problem(j,
                       std::string("unknown inline option '") + c + "' (.NET has i, m, n, s, x)");
      }
    }
    if (j >= p_.size()) return problem(at, "unterminated inline option group");
    if (!kept.empty() && kept.back() == '-') kept.pop_back();
    if (p_[j] == ')') {
      top() = frame;
      emit(kept.empty() ? std::string() : "(?" + kept + ")", at);
    } else {
      frames_.push_back(frame);
      emit("(?" + kept + ":", at);
    }
    i_ = j + 1;
    return std::nullopt;
  }

  // (?(?=...)yes|no), (?(1)yes|no), (?(name)yes|no), and .NET's (?(expr)yes|no).
  std::optional<PatternProblem> conditional(std::size_t at) {
    frames_.push_back(top());
    if (i_ + 3 < p_.size() && p_[i_ + 3] == '?') {
      emit("(?", at);  // the assertion that follows is scanned as a group of its own
      i_ += 2;
      return std::nullopt;
    }
    const auto close = p_.find(')', i_ + 3);
    const std::string cond(close == std::string_view::npos ? ""
                                                           : p_.substr(i_ + 3, close - i_ - 3));
    if (all_digits(cond) || is_identifier(cond)) {
      i_ = close + 1;
      if (!numbering_) {
        emit("(?(1)", at);
        return std::nullopt;
      }
      if (all_digits(cond)) {
        const int n = cond.size() > 4 ? 100000 : std::stoi(cond);
        if (n < 1 || n > numbering_->group_count) {
          return problem(at, "condition names undefined group number " + cond);
        }
        emit("(?(" + std::to_string(numbering_->pcre2_group[n]) + ")", at);
      } else if (numbering_->names.count(cond)) {
        emit("(?(<" + cond + ">)", at);
      } else {
        emit("(?(?=" + cond + ")", at);  // not a group name: .NET reads it as an expression
      }
      return std::nullopt;
    }
    // (?(expr): an implicit lookahead. Scan expr as an ordinary group.
    emit("(?(?=", at);
    frames_.push_back(top());
    i_ += 3;
    return std::nullopt;
  }

  std::string_view p_;
  const TranslatedPattern* numbering_;
  std::size_t i_ = 0;
  std::vector<Frame> frames_;
};

}  // namespace

std::variant<TranslatedPattern, PatternProblem> translate_dotnet(std::string_view pattern) {
  Translator first(pattern, nullptr);
  if (auto problem = first.run()) return *problem;

  TranslatedPattern result;
  // .NET numbers unnamed groups first, left to right, then named groups in order of appearance;
  // PCRE2 numbers every capturing group left to right.
  std::vector<int> net_of_paren(first.groups.size());
  int next = 1;
  for (std::size_t k = 0; k < first.groups.size(); ++k) {
    if (!first.groups[k].named) net_of_paren[k] = next++;
  }
  for (std::size_t k = 0; k < first.groups.size(); ++k) {
    if (first.groups[k].named) {
      net_of_paren[k] = next++;
      result.names[first.groups[k].name] = net_of_paren[k];
    }
  }
  result.group_count = int(first.groups.size());
  result.pcre2_group.assign(first.groups.size() + 1, 0);
  for (std::size_t k = 0; k < first.groups.size(); ++k)
    result.pcre2_group[net_of_paren[k]] = int(k + 1);

  Translator second(pattern, &result);
  if (auto problem = second.run()) return *problem;
  result.pcre2 = std::move(second.out);
  result.source_offset = std::move(second.source_);
  return result;
}

pcre2_match_context* shared_match_context() {
  static const util::Pcre2MatchContext context = [] {
    util::Pcre2MatchContext c(pcre2_match_context_create(nullptr));
    pcre2_set_match_limit(c.get(), kMatchLimit);
    pcre2_set_depth_limit(c.get(), kDepthLimit);
    return c;
  }();
  return context.get();
}

std::variant<DotnetRegex, PatternProblem> compile_dotnet(std::string_view pattern) {
  auto translated = translate_dotnet(pattern);
  if (auto* problem = std::get_if<PatternProblem>(&translated)) return *problem;

  DotnetRegex regex;
  regex.translated_ = std::move(std::get<TranslatedPattern>(translated));
  const auto& t = regex.translated_;
  int error = 0;
  PCRE2_SIZE error_offset = 0;
  regex.code_.reset(pcre2_compile(reinterpret_cast<PCRE2_SPTR>(t.pcre2.data()), t.pcre2.size(),
                                  PCRE2_UTF | PCRE2_UCP | PCRE2_ALT_BSUX | PCRE2_NEVER_BACKSLASH_C,
                                  &error, &error_offset, nullptr));
  if (!regex.code_) {
    const std::size_t at =
        t.source_offset[std::min<std::size_t>(error_offset, t.source_offset.size() - 1)];
    std::string what = util::pcre2_error_message(error);
    if (error == 125) {  // lookbehind not fixed length
      what =
          "variable-length lookbehind is not supported (PCRE2 needs a fixed length in each branch)";
    } else if (error == 134 || error == 115) {
      what += " (this tester needs every \\p name, group and reference to be known to PCRE2)";
    }
    return PatternProblem{at, what};
  }
  regex.jit_ = pcre2_jit_compile(regex.code_.get(), PCRE2_JIT_COMPLETE) == 0;
  pcre2_pattern_info(regex.code_.get(), PCRE2_INFO_CAPTURECOUNT, &regex.capture_count_);
  return regex;
}

}  // namespace rcc::rules
