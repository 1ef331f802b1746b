#include "rules/lint.h"

#include <algorithm>
#include <map>

#include "rules/pattern_shape.h"
#include "util/utf8.h"

namespace rcc::rules {
namespace {

bool is_non_ascii_digit(char32_t c) {
  // Unicode Nd ranges outside ASCII that occur in practice (Arabic-Indic to fullwidth).
  static constexpr char32_t kZeros[] = {0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6,
                                        0x0B66, 0x0BE6, 0x0C66, 0x0CE6, 0x0D66, 0x0DE6, 0x0E50,
                                        0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0xFF10};
  for (char32_t zero : kZeros) {
    if (c >= zero && c <= zero + 9) return true;
  }
  return false;
}

class Linter {
 public:
  Linter(const RuleFile& file, const NormalizeOptions& options) : file_(file), options_(options) {}

  std::vector<Finding> run() {
    for (const auto& e : file_.errors) {
      add(Severity::error,
          e.code() == Errc::invalid_pattern       ? "invalid-pattern"
          : e.code() == Errc::missing_translation ? "missing-translation"
                                                  : "invalid-utf8",
          e.detail(), e.where() ? *e.where() : SourceLocation{file_.path, 0, 0, {}});
    }
    std::map<std::string, int> first_line_of;
    for (std::size_t i = 0; i < file_.rules.size(); ++i) {
      const Rule& rule = file_.rules[i];
      if (rule.pattern_line == 0) continue;
      check_text(rule.pattern_line, rule.pattern);
      if (rule.translation_line) check_text(rule.translation_line, rule.translation);
      if (!rule.pattern.empty() && (rule.pattern.back() == ' ' || rule.pattern.back() == '\t')) {
        add(Severity::warning, "trailing-whitespace",
            "pattern ends with whitespace, which the pattern then requires",
            file_.at(rule.pattern_line, rule.pattern.find_last_not_of(" \t") + 1));
      }
      for (const auto& unknown : rule.substitution.unknown_groups()) {
        add(Severity::error, "unknown-group",
            "translation uses " + unknown.token +
                ", but the pattern has no such group (it is kept as literal text)",
            file_.at(rule.translation_line, unknown.offset));
      }
      auto [it, inserted] = first_line_of.emplace(rule.pattern, rule.pattern_line);
      if (!inserted) {
        add(Severity::warning, "duplicate-pattern",
            "same pattern as line " + std::to_string(it->second) + ", which always wins",
            file_.at(rule.pattern_line, 0));
      }
    }
    check_shapes(first_line_of);
    std::stable_sort(findings_.begin(), findings_.end(), [](const Finding& a, const Finding& b) {
      return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
    });
    return std::move(findings_);
  }

 private:
  void add(Severity severity, std::string check, std::string message, SourceLocation where) {
    findings_.push_back(Finding{severity, std::move(check), std::move(message), std::move(where)});
  }

  void check_text(int line, const std::string& text) {
    for (std::size_t i = 0; i < text.size();) {
      const std::size_t at = i;
      const char32_t c = util::decode_utf8(text, i);
      if (is_non_ascii_digit(c)) {
        add(Severity::warning, "non-ascii-digit",
            "non-ASCII digit U+" + hex(c) + " (phones dial ASCII digits; .NET \\d also matches it)",
            file_.at(line, at));
      }
    }
  }

  static std::string hex(char32_t c) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04X", unsigned(c));
    return buf;
  }

  void check_shapes(const std::map<std::string, int>& first_line_of) {
    std::vector<Shape> shapes;
    shapes.reserve(file_.rules.size());
    for (const auto& rule : file_.rules)
      shapes.push_back(analyze(rule));
    for (std::size_t j = 0; j < file_.rules.size(); ++j) {
      const Rule& later = file_.rules[j];
      if (!later.regex && !later.e164) continue;
      if (options_.preprocess == Preprocess::lync) {
        if (auto stripped = shapes[j].requires_stripped_character()) {
          add(Severity::warning, "lync-stripped",
              "pattern requires " + *stripped +
                  ", which Lync strips before applying rules: the rule never matches there",
              file_.at(later.pattern_line, 0));
        }
      }
      // Duplicates are reported once, as duplicate-pattern.
      if (first_line_of.at(later.pattern) != later.pattern_line) continue;
      for (std::size_t i = 0; i < j; ++i) {
        if (!file_.rules[i].regex && !file_.rules[i].e164) continue;
        if (shapes[i].covers(shapes[j])) {
          add(Severity::warning, "shadowed-rule",
              "never applies: every number it matches is matched first by the rule at line " +
                  std::to_string(file_.rules[i].pattern_line),
              file_.at(later.pattern_line, 0));
          break;
        }
      }
    }
  }

  const RuleFile& file_;
  const NormalizeOptions& options_;
  std::vector<Finding> findings_;
};

}  // namespace

std::vector<Finding> lint(const RuleFile& file, const NormalizeOptions& options) {
  return Linter(file, options).run();
}

std::string render(const Finding& f) {
  std::string out = location_prefix(f.where);
  out += f.severity == Severity::error ? "error: " : "warning: ";
  out += f.message + " [" + f.check + "]\n";
  out += caret_lines(f.where);
  return out;
}

}  // namespace rcc::rules
