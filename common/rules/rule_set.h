#pragma once
// Applying normalization rules to numbers: first matching rule wins, the result is a tel: URI.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rules/combined.h"
#include "rules/rule_file.h"

namespace rcc::rules {

/// What a matching rule produces ([MS-ABS] leaves it open; the notes, 1.5, give both readings).
enum class Semantics {
  result,   ///< the expanded translation alone (.NET Match.Result); the default
  replace,  ///< .NET Regex.Replace: every match replaced, the text around the matches kept
};

/// What is done to a number before the rules see it.
enum class Preprocess {
  none,  ///< the number as written (OCS 2007 / 2007 R2)
  lync,  ///< whitespace and ! @ . - * ( ) removed first (Lync 2010 and later)
};

struct NormalizeOptions {
  Semantics semantics = Semantics::result;
  Preprocess preprocess = Preprocess::none;
};

enum class Status {
  normalized,    ///< a rule matched; the result is set
  no_match,      ///< no rule matched: the number is not normalized
  invalid_utf8,  ///< the number is not UTF-8; no rule was tried
  match_limit,   ///< a rule ran into the match limit (catastrophic backtracking); stopped there
};

struct Outcome {
  Status status = Status::no_match;
  int rule = -1;  ///< index into RuleFile::rules of the rule that matched (or hit the limit)
};

/// One rule tried by explain().
struct Attempt {
  int rule = 0;
  bool matched = false;
  bool limit = false;
  std::size_t match_begin = 0, match_end = 0;  ///< byte span of the match in the subject
  struct Group {
    int number = 0;                   ///< .NET group number
    std::string name;                 ///< empty for unnamed groups
    std::optional<std::string> text;  ///< nullopt: the group did not take part
  };
  std::vector<Group> groups;
};

/// Applies a parsed rule file. Holds PCRE2 match data, so one Normalizer per thread.
/// `file` must outlive it; rules that failed to compile are skipped (callers refuse such files).
class Normalizer {
 public:
  explicit Normalizer(const RuleFile& file, NormalizeOptions options = {});

  /// Normalizes one number. On Status::normalized, `result` holds the tel: URI.
  Outcome normalize(std::string_view number, std::string& result);

  /// Like normalize(), and also reports every rule tried, up to the one that matched.
  Outcome explain(std::string_view number, std::string& result, std::vector<Attempt>& attempts);

  /// The string the rules see for `number` (after --preprocess).
  std::string_view subject(std::string_view number);

  const RuleFile& file() const { return file_; }

 private:
  // PCRE2 return code for rule `index` on `subject` (E164 gives 1 or PCRE2_ERROR_NOMATCH).
  int match(std::size_t index, std::string_view subject);
  // Writes the tel: URI for `rule`, whose group 0 is at `ov[0]`.
  void build_result(const Rule& rule, std::string_view subject, const PCRE2_SIZE* ov,
                    std::string& result);

  const RuleFile& file_;
  NormalizeOptions options_;
  util::Pcre2MatchData match_data_;
  std::vector<RuleRun> runs_;  // result semantics only; see combined.h
  std::vector<int> run_at_;    // per rule: index into runs_ of the run it starts, else -1
  std::string scratch_;        // the preprocessed number
  std::string e164_digits_;
};

/// True and the digits when `number` is what the built-in E164 rule accepts: 1 to 15 ASCII digits,
/// with spaces, periods, hyphens and parentheses ignored.
bool match_e164(std::string_view number, std::string& digits);

/// Lync's pre-processing: drops Unicode whitespace and the characters ! @ . - * ( ).
void lync_preprocess(std::string_view number, std::string& out);

}  // namespace rcc::rules
