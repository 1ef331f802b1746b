// --self-test and --check: modes about the rules file rather than about numbers.
#include <iostream>

#include "diag/exit_code.h"
#include "modes.h"
#include "output.h"
#include "rules/lint.h"

namespace rcc::normalize_test {

using nlohmann::json;

int run_self_test(const Options& o, const rules::RuleFile& file) {
  rules::Normalizer normalizer(file, o.normalize);
  std::string result;
  std::size_t passed = 0;
  json tests = json::array();
  for (const auto& test : file.tests) {
    const auto outcome = normalizer.normalize(test.input, result);
    const bool normalized = outcome.status == rules::Status::normalized;
    const std::optional<std::string> got =
        normalized ? std::optional<std::string>(result) : std::nullopt;
    const bool pass = got == test.expected;
    if (pass) ++passed;
    const std::string got_text = got ? *got : "NOMATCH";
    const std::string want_text = test.expected ? *test.expected : "NOMATCH";
    if (o.json) {
      tests.push_back(
          json{{"line", test.line},
               {"input", test.input},
               {"expected", want_text},
               {"got", got_text},
               {"passed", pass},
               {"rule_line", normalized ? json(file.rules[std::size_t(outcome.rule)].pattern_line)
                                        : json(nullptr)}});
      continue;
    }
    std::cout << (pass ? "PASS " : "FAIL ") << file.path << ':' << test.line << ": " << test.input
              << " -> " << got_text;
    if (!pass) std::cout << " (expected " << want_text << ")";
    if (normalized)
      std::cout << " [rule at line " << file.rules[std::size_t(outcome.rule)].pattern_line << "]";
    std::cout << '\n';
  }
  const std::size_t total = file.tests.size();
  if (o.json) {
    std::cout << dump(json{{"file", file.path},
                           {"passed", passed},
                           {"failed", total - passed},
                           {"total", total},
                           {"tests", tests}})
              << '\n';
  } else {
    std::cout << passed << " of " << total << " passed\n";
  }
  if (total == 0) {
    std::cerr << "rcc-normalize-test: " << file.path
              << ": no tests (write them as '# Test input NUMBER, Test result-> EXPECTED')\n";
    return exit_code::kFailure;
  }
  return passed == total ? exit_code::kOk : exit_code::kFailure;
}

int run_check(const Options& o, const rules::RuleFile& file) {
  const auto findings = rules::lint(file, o.normalize);
  std::size_t errors = 0;
  for (const auto& f : findings)
    errors += f.severity == rules::Severity::error;
  const std::size_t warnings = findings.size() - errors;
  if (o.json) {
    json list = json::array();
    for (const auto& f : findings) {
      list.push_back(json{{"file", f.where.file},
                          {"line", f.where.line},
                          {"column", f.where.column},
                          {"severity", f.severity == rules::Severity::error ? "error" : "warning"},
                          {"check", f.check},
                          {"message", f.message}});
    }
    std::cout << dump(json{{"file", file.path},
                           {"rules", file.rules.size()},
                           {"errors", errors},
                           {"warnings", warnings},
                           {"findings", list}})
              << '\n';
  } else {
    for (const auto& f : findings)
      std::cout << rules::render(f);
    std::cout << file.path << ": " << file.rules.size() << " rules, " << errors << " error(s), "
              << warnings << " warning(s)\n";
  }
  return findings.empty() ? exit_code::kOk : exit_code::kFailure;
}

}  // namespace rcc::normalize_test
