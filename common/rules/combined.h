#pragma once
// Runs of rules compiled into one PCRE2 program.
//
// Most rule files are lists of start-anchored patterns (^...). For those, "the first rule that
// matches" equals "the first alternative of ^(?:r1|r2|...) that matches", so a run of such rules
// costs one JIT call per number instead of one per rule. Each rule becomes
// `(BODY)(*MARK:k)`: the mark says which rule matched, and the capture around the body makes the
// rule's groups a contiguous slice of the ovector (its group 0 included), so the rule's own
// Substitution expands against `ovector + 2 * group_offset`.
// Only rules that need nothing outside their own slice are combined: no back-references, named
// groups, conditionals or inline options (their numbering and scope would change).

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "rules/rule_file.h"
#include "util/pcre2.h"

namespace rcc::rules {

/// True when `rule` can join a combined run: compiled, anchored at the start by PCRE2's own
/// analysis, and free of constructs whose meaning depends on the whole pattern.
bool combinable(const Rule& rule);

class CombinedRun {
 public:
  /// Compiles `rules` (indices into `file`, in order, all combinable) into one program; nullopt
  /// when PCRE2 refuses the combination (the rules are then matched one by one).
  static std::optional<CombinedRun> build(const RuleFile& file, std::vector<std::size_t> rules);

  struct Hit {
    int rule = -1;         ///< index into RuleFile::rules; -1 no match
    int group_offset = 0;  ///< where the rule's group 0 is in the ovector
    bool error = false;    ///< match limit or another PCRE2 error: match the run rule by rule
  };
  Hit match(std::string_view subject, pcre2_match_data* data) const;

  std::uint32_t capture_count() const { return capture_count_; }

 private:
  std::vector<std::size_t> rules_;
  util::Pcre2Code code_;
  bool jit_ = false;
  std::uint32_t capture_count_ = 0;
  std::vector<int> group_offset_;  ///< per rule of the run
};

/// A run of consecutive combinable rules [first, last], dispatched on the number's first byte:
/// each byte selects the combined program of only the rules that can begin with it.
class RuleRun {
 public:
  static std::optional<RuleRun> build(const RuleFile& file, std::size_t first, std::size_t last);

  CombinedRun::Hit match(std::string_view subject, pcre2_match_data* data) const;

  std::size_t first() const { return first_; }
  std::size_t last() const { return last_; }
  std::uint32_t capture_count() const;

 private:
  std::size_t first_ = 0, last_ = 0;
  std::vector<CombinedRun> programs_;
  std::array<std::int16_t, 257> program_of_{};  ///< per first byte (256: empty subject); -1 none
};

}  // namespace rcc::rules
