#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "rules/rule_set.h"
#include "tool_cli.h"

namespace rcc::normalize_test {

constexpr const char* kRulesEnv = "RCC_NORMALIZATION_RULES";
constexpr const char* kDefaultRulesFile = "Company_Phone_Number_Normalization_Rules.txt";

enum class Mode { normalize, explain, check, self_test };

struct Options {
  tool::CommonOptions common;
  std::string rules_path;            ///< -r; empty: $RCC_NORMALIZATION_RULES, config, ./default
  std::vector<std::string> numbers;  ///< empty or {"-"}: read numbers from stdin
  Mode mode = Mode::normalize;
  bool json = false;
  rules::NormalizeOptions normalize;  ///< filled by resolve_defaults()
  std::string preprocess;             ///< --preprocess as given; empty: from the config, else none
  std::string semantics;              ///< --semantics as given; empty: from the config, else result
};

/// Declares every option of the tool on `app`, writing into `options`.
void add_options(CLI::App& app, Options& options);

/// Fills what the command line left open from the config file's [normalize] section and the
/// environment; throws rcc::Exception for a broken config.
void resolve_defaults(Options& options);

}  // namespace rcc::normalize_test
