#pragma once
// Shared helpers for the rules tests: build a rule file from text and normalize with it.

#include <optional>
#include <string>

#include "rules/rule_file.h"
#include "rules/rule_set.h"

#include <catch2/catch.hpp>

namespace rcc::rules::test {

/// The result of normalizing `number` with one rule, or nullopt when it is not normalized.
inline std::optional<std::string> apply(const std::string& pattern, const std::string& translation,
                                        const std::string& number, NormalizeOptions options = {}) {
  const RuleFile file = parse_rule_file(pattern + "\n" + translation + "\n", "t.txt");
  if (!file.errors.empty()) return "ERROR: " + file.errors.front().message();
  Normalizer normalizer(file, options);
  std::string result;
  if (normalizer.normalize(number, result).status != Status::normalized) return std::nullopt;
  return result;
}

}  // namespace rcc::rules::test

namespace Catch {
template <>
struct StringMaker<std::optional<std::string>> {
  static std::string convert(const std::optional<std::string>& v) {
    return v ? "\"" + *v + "\"" : std::string("nullopt");
  }
};
}  // namespace Catch
