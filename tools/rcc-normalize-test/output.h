#pragma once
// What the modes of rcc-normalize-test share: JSON and messages about one number's outcome.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "rules/rule_set.h"

namespace rcc::normalize_test {

/// JSON text on one line; invalid UTF-8 in a number is replaced, never thrown on.
std::string dump(const nlohmann::json& j);
/// Why a number was (not) normalized, in words.
const char* reason(rules::Status status);
/// {"input", "normalized", "result", "rule_line", "pattern" | "reason"}
nlohmann::json outcome_json(std::string_view number, const rules::Outcome& outcome,
                            const std::string& result, const rules::RuleFile& file);
/// "'NUMBER': reason" for stderr.
std::string problem_text(std::string_view number, const rules::Outcome& outcome,
                         const rules::RuleFile& file);

}  // namespace rcc::normalize_test
