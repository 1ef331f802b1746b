#pragma once
// Company_Phone_Number_Normalization_Rules.txt: parsing.
//
// Pairs of lines, a .NET regular expression and then its translation ([MS-ABS] 2.2.5). Lines
// whose first non-blank character is '#' are comments and blank lines are skipped, before pairing.
// LF or CRLF; UTF-8 with or without a BOM. The pattern "E164" is the built-in rule. Comments of
// the form "# Test input <number>, Test result-> <expected>" are tests (--self-test).

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "diag/error.h"
#include "rules/dotnet_regex.h"
#include "rules/substitution.h"

namespace rcc::rules {

enum class Errc {
  invalid_pattern = 1,  ///< the pattern line is not a regular expression this tester can run
  missing_translation,  ///< the file ends with a pattern line that has no translation line
  invalid_utf8,         ///< a line of the file, or an input number, is not UTF-8
  match_limit,          ///< matching a number ran into the PCRE2 match or depth limit
};
const std::error_category& rules_category();
std::error_code make_error_code(Errc e);

struct Rule {
  int pattern_line = 0;      ///< 1-based line of the pattern in the file
  int translation_line = 0;  ///< 1-based line of the translation (0 when it is missing)
  std::string pattern;
  std::string translation;
  bool e164 = false;                 ///< the built-in E164 rule (no regex; translation ignored)
  std::optional<DotnetRegex> regex;  ///< compiled, unless e164 or invalid
  Substitution substitution;
};

/// A test written in a comment of the file.
struct SelfTest {
  int line = 0;
  std::string input;
  std::optional<std::string> expected;  ///< nullopt: the number must not be normalized
};

struct RuleFile {
  std::string path;
  std::vector<std::string> lines;  ///< the file's lines (BOM and line ends removed), for carets
  std::vector<Rule> rules;         ///< in file order; invalid ones have no regex
  std::vector<SelfTest> tests;
  std::vector<Error> errors;  ///< invalid patterns, a missing translation, bad UTF-8

  /// Location of byte `offset` in 1-based `line` of the file, with the line text for carets.
  SourceLocation at(int line, std::size_t offset) const;
};

/// Parses rules text. Never fails as a whole: problems are collected in RuleFile::errors.
RuleFile parse_rule_file(std::string_view text, std::string path);

/// Reads and parses a file; fails only when the file cannot be read.
Result<RuleFile> load_rule_file(const std::string& path);

}  // namespace rcc::rules

template <>
struct std::is_error_code_enum<rcc::rules::Errc> : std::true_type {};
