#include "modes.h"

#include <iostream>
#include <optional>

#include "diag/exit_code.h"
#include "output.h"

namespace rcc::normalize_test {
namespace {

std::optional<rules::RuleFile> load(const Options& o, bool allow_errors) {
  auto file = rules::load_rule_file(o.rules_path);
  if (!file) {
    std::cerr << "rcc-normalize-test: " << file.error().detail()
              << (file.error().code() == rcc::Errc::file_not_found
                      ? " (give the rules file with -r FILE or $RCC_NORMALIZATION_RULES)"
                      : "")
              << '\n';
    return std::nullopt;
  }
  if (!allow_errors && !file->errors.empty()) {
    for (const auto& e : file->errors)
      std::cerr << e.render();
    std::cerr << "rcc-normalize-test: " << o.rules_path << ": " << file->errors.size()
              << " error(s) in the rules file (--check lists every problem)\n";
    return std::nullopt;
  }
  return std::move(*file);
}

}  // namespace

int run_arguments(const Options& o, const rules::RuleFile& file) {
  rules::Normalizer normalizer(file, o.normalize);
  std::string result;
  int status = exit_code::kOk;
  for (const auto& number : o.numbers) {
    const auto outcome = normalizer.normalize(number, result);
    const bool ok = outcome.status == rules::Status::normalized;
    if (o.json) {
      std::cout << dump(outcome_json(number, outcome, result, file)) << '\n';
    } else {
      std::cout << (ok ? result : std::string()) << '\n';
    }
    if (!ok) {
      std::cout.flush();
      std::cerr << "rcc-normalize-test: " << problem_text(number, outcome, file) << '\n';
      status = exit_code::kFailure;
    }
  }
  return status;
}

// Streams numbers from stdin, one per line, in constant memory; NUMBER<TAB>RESULT<TAB>RULE_LINE.

int run(const Options& o) {
  auto file = load(o, o.mode == Mode::check);
  if (!file) return exit_code::kUsage;
  switch (o.mode) {
    case Mode::check:
      return run_check(o, *file);
    case Mode::self_test:
      return run_self_test(o, *file);
    case Mode::explain:
      return run_explain(o, *file);
    case Mode::normalize:
      break;
  }
  if (o.numbers.empty() || (o.numbers.size() == 1 && o.numbers[0] == "-")) {
    return run_batch(o, *file);
  }
  return run_arguments(o, *file);
}

}  // namespace rcc::normalize_test
