#include "output.h"

namespace rcc::normalize_test {

using nlohmann::json;

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

const char* reason(rules::Status status) {
  switch (status) {
    case rules::Status::normalized:
      return "normalized";
    case rules::Status::no_match:
      return "no rule matched";
    case rules::Status::invalid_utf8:
      return "not valid UTF-8";
    case rules::Status::match_limit:
      return "a rule hit the match limit";
  }
  return "";
}

json outcome_json(std::string_view number, const rules::Outcome& outcome, const std::string& result,
                  const rules::RuleFile& file) {
  json j{{"input", number}, {"normalized", outcome.status == rules::Status::normalized}};
  if (outcome.status == rules::Status::normalized) {
    const auto& rule = file.rules[std::size_t(outcome.rule)];
    j["result"] = result;
    j["rule_line"] = rule.pattern_line;
    j["pattern"] = rule.pattern;
  } else {
    j["result"] = nullptr;
    j["rule_line"] = nullptr;
    j["reason"] = reason(outcome.status);
    if (outcome.rule >= 0) j["rule_line"] = file.rules[std::size_t(outcome.rule)].pattern_line;
  }
  return j;
}

std::string problem_text(std::string_view number, const rules::Outcome& outcome,
                         const rules::RuleFile& file) {
  std::string text = "'" + std::string(number) + "': " + reason(outcome.status);
  if (outcome.status == rules::Status::match_limit) {
    text += " (rule at line " + std::to_string(file.rules[std::size_t(outcome.rule)].pattern_line) +
            ")";
  }
  return text;
}

// Loads the rules file; a file with errors is refused (exit 2) outside --check.

}  // namespace rcc::normalize_test
