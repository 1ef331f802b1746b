#pragma once
// .NET regular expressions (the dialect of normalization rules) run on PCRE2.
//
// PCRE2 accepts most .NET syntax but means some of it differently. translate_dotnet() scans a
// .NET pattern before PCRE2 sees it and:
//   - rejects what .NET has and PCRE2 cannot do (balancing groups, class subtraction, numbered
//     named groups, duplicate names, \p{IsBlock}), and PCRE2-only syntax .NET would refuse
//     (possessive quantifiers, \K, \Q..\E, recursion, branch reset, (*VERBS), \h \R \X ...);
//   - computes .NET group numbering (unnamed groups first, then named ones) and maps it to PCRE2's
//     left-to-right numbering, rewriting numeric back-references and conditions to match;
//   - rewrites .NET-only spellings: (?(expr)yes|no) -> (?(?=expr)yes|no), \v -> \x0B, and the
//     explicit-capture option (?n) into non-capturing groups.
// compile_dotnet() then compiles with UTF + UCP (.NET's \d and \s are Unicode-aware), \uXXXX
// support, JIT, and a match limit so that catastrophic patterns fail instead of hanging.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "util/pcre2.h"

namespace rcc::rules {

/// Bounds a single pattern's matching work (PCRE2 match and depth limits).
constexpr std::uint32_t kMatchLimit = 1'000'000;
constexpr std::uint32_t kDepthLimit = 10'000;

/// Why a pattern was refused, and where (byte offset into the .NET pattern text).
struct PatternProblem {
  std::size_t offset = 0;
  std::string what;
};

struct TranslatedPattern {
  std::string pcre2;  ///< the pattern PCRE2 compiles
  std::vector<std::size_t>
      source_offset;                 ///< per byte of `pcre2` (and one past): offset in .NET text
  int group_count = 0;               ///< .NET capturing groups, not counting group 0
  std::vector<int> pcre2_group;      ///< .NET group number -> PCRE2 group number ([0] = 0)
  std::map<std::string, int> names;  ///< group name -> .NET group number
};

std::variant<TranslatedPattern, PatternProblem> translate_dotnet(std::string_view pattern);

/// A compiled .NET pattern. Move-only; matching needs a match data block from
/// make_match_data() (one per thread).
class DotnetRegex {
 public:
  const TranslatedPattern& translated() const { return translated_; }
  const pcre2_code* code() const { return code_.get(); }
  bool jit() const { return jit_; }
  /// Number of PCRE2 capture groups (the ovector needs this + 1 pairs).
  std::uint32_t capture_count() const { return capture_count_; }

 private:
  friend std::variant<DotnetRegex, PatternProblem> compile_dotnet(std::string_view pattern);
  TranslatedPattern translated_;
  util::Pcre2Code code_;
  bool jit_ = false;
  std::uint32_t capture_count_ = 0;
};

std::variant<DotnetRegex, PatternProblem> compile_dotnet(std::string_view pattern);

/// The match context every rule uses: kMatchLimit and kDepthLimit.
pcre2_match_context* shared_match_context();

}  // namespace rcc::rules
