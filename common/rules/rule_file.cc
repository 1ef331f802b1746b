#include "rules/rule_file.h"

#include "util/file.h"
#include "util/text.h"
#include "util/utf8.h"

namespace rcc::rules {
namespace {

class RulesCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "rules"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::invalid_pattern:
        return "invalid pattern";
      case Errc::missing_translation:
        return "pattern without a translation line";
      case Errc::invalid_utf8:
        return "not valid UTF-8";
      case Errc::match_limit:
        return "match limit exceeded";
    }
    return "unknown error";
  }
};

using util::istarts_with;
using util::trim;

// "# Test input <number>, Test result-> <expected>", words in any case, spaces optional.
std::optional<SelfTest> parse_test_comment(std::string_view comment, int line) {
  std::string_view s = trim(comment.substr(1));
  if (!istarts_with(s, "test input")) return std::nullopt;
  s = trim(s.substr(10));
  const auto comma = s.find(',');
  if (comma == std::string_view::npos) return std::nullopt;
  SelfTest test;
  test.line = line;
  test.input = std::string(trim(s.substr(0, comma)));
  std::string_view rest = trim(s.substr(comma + 1));
  if (!istarts_with(rest, "test result")) return std::nullopt;
  rest = trim(rest.substr(11));
  if (rest.substr(0, 2) != "->") return std::nullopt;
  rest = trim(rest.substr(2));
  if (!(rest.size() == 7 && istarts_with(rest, "nomatch"))) test.expected = std::string(rest);
  return test;
}

}  // namespace

const std::error_category& rules_category() {
  static const RulesCategory category;
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), rules_category()};
}

SourceLocation RuleFile::at(int line, std::size_t offset) const {
  SourceLocation where{path, line, 0, {}};
  if (line >= 1 && std::size_t(line) <= lines.size()) {
    where.line_text = lines[std::size_t(line) - 1];
    where.column = util::column_of(where.line_text, offset);
  }
  return where;
}

RuleFile parse_rule_file(std::string_view text, std::string path) {
  RuleFile file;
  file.path = std::move(path);
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  for (std::size_t start = 0; start < text.size();) {
    auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(start, nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    file.lines.emplace_back(line);
    start = nl + 1;
  }

  constexpr std::size_t kNone = std::size_t(-1);
  std::size_t pending = kNone;  // index of a pattern waiting for its translation line
  for (std::size_t k = 0; k < file.lines.size(); ++k) {
    const int number = int(k + 1);
    const std::string& line = file.lines[k];
    const std::string_view content = trim(line);
    if (content.empty()) continue;
    if (!util::is_valid_utf8(line)) {
      file.errors.emplace_back(Errc::invalid_utf8, "line is not valid UTF-8", file.at(number, 0));
      if (content[0] == '#') continue;
      // Keep the pairing: the line still counts as a pattern or a translation.
      if (pending == kNone) {
        pending = file.rules.size();
        file.rules.emplace_back().pattern_line = number;
      } else {
        file.rules[pending].translation_line = number;
        pending = kNone;
      }
      continue;
    }
    if (content[0] == '#') {
      if (auto test = parse_test_comment(content, number)) file.tests.push_back(std::move(*test));
      continue;
    }
    if (pending != kNone) {
      Rule& rule = file.rules[pending];
      rule.translation = line;
      rule.translation_line = number;
      if (rule.regex) rule.substitution = Substitution(line, rule.regex->translated());
      pending = kNone;
      continue;
    }
    pending = file.rules.size();
    Rule& rule = file.rules.emplace_back();
    rule.pattern = line;
    rule.pattern_line = number;
    if (line == "E164") {
      rule.e164 = true;
      continue;
    }
    auto compiled = compile_dotnet(line);
    if (auto* problem = std::get_if<PatternProblem>(&compiled)) {
      file.errors.emplace_back(Errc::invalid_pattern, problem->what,
                               file.at(number, problem->offset));
    } else {
      rule.regex = std::move(std::get<DotnetRegex>(compiled));
    }
  }
  if (pending != kNone) {
    file.errors.emplace_back(Errc::missing_translation,
                             "pattern has no translation line (the file ends after it)",
                             file.at(file.rules[pending].pattern_line, 0));
  }
  return file;
}

Result<RuleFile> load_rule_file(const std::string& path) {
  auto text = util::read_file(path);
  if (!text) return text.error();
  return parse_rule_file(*text, path);
}

}  // namespace rcc::rules
