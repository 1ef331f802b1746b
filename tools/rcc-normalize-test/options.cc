#include "options.h"

#include <cstdlib>

#include "config/config.h"

namespace rcc::normalize_test {
namespace {

const std::map<std::string, rules::Preprocess> kPreprocess{{"none", rules::Preprocess::none},
                                                           {"lync", rules::Preprocess::lync}};
const std::map<std::string, rules::Semantics> kSemantics{{"result", rules::Semantics::result},
                                                         {"replace", rules::Semantics::replace}};

}  // namespace

void add_options(CLI::App& app, Options& o) {
  tool::add_common_options(app, o.common);
  app.add_option("-r,--rules", o.rules_path,
                 "rules file (default: $RCC_NORMALIZATION_RULES, the config's [normalize] rules, "
                 "else ./Company_Phone_Number_Normalization_Rules.txt)")
      ->type_name("FILE");
  auto* explain = app.add_flag_function(
      "-e,--explain", [&o](std::int64_t) { o.mode = Mode::explain; },
      "show which rule matched each number, its groups, and the rules tried before it");
  auto* check = app.add_flag_function(
      "--check", [&o](std::int64_t) { o.mode = Mode::check; },
      "lint the rules file: bad expressions, unknown groups, missing translations, duplicates, "
      "shadowed rules, non-ASCII digits");
  auto* self_test = app.add_flag_function(
      "--self-test", [&o](std::int64_t) { o.mode = Mode::self_test; },
      "run the '# Test input N, Test result-> R' tests written in the rules file");
  explain->excludes(check)->excludes(self_test);
  check->excludes(self_test);
  app.add_option("--preprocess", o.preprocess,
                 "what is done to a number before the rules see it: none (OCS 2007, default) or "
                 "lync (strip whitespace and ! @ . - * ( ))")
      ->check(CLI::IsMember({"none", "lync"}))
      ->type_name("MODE");
  app.add_option("--semantics", o.semantics,
                 "result: the translation alone (default); replace: .NET Regex.Replace, text "
                 "around the match kept")
      ->check(CLI::IsMember({"result", "replace"}))
      ->type_name("MODE");
  app.add_flag("-j,--json", o.json, "JSON output (one object per line for numbers)");
  app.add_option("number", o.numbers, "numbers to normalize; none or '-': read them from stdin")
      ->type_name("NUMBER");
  app.footer(
      "Exit status: 0 every number normalized (or every check/test passed), 1 a number not "
      "normalized (or a lint finding, a failed test), 2 usage, rules-file or config error.");
}

void resolve_defaults(Options& o) {
  std::optional<std::string> rules_from_config;
  if (auto path = config::locate(o.common.config_path)) {
    auto doc = config::load_file(*path);
    if (!doc) throw Exception(doc.error());
    config::Section section(*doc, "normalize");
    rules_from_config = section.string("rules");
    const auto preprocess = section.choice("preprocess", {"none", "lync"});
    const auto semantics = section.choice("semantics", {"result", "replace"});
    section.reject_unknown_keys();
    if (preprocess && o.preprocess.empty()) o.preprocess = *preprocess;
    if (semantics && o.semantics.empty()) o.semantics = *semantics;
  }
  o.normalize.preprocess = kPreprocess.at(o.preprocess.empty() ? "none" : o.preprocess);
  o.normalize.semantics = kSemantics.at(o.semantics.empty() ? "result" : o.semantics);
  if (!o.rules_path.empty()) return;
  if (const char* env = std::getenv(kRulesEnv); env && *env) {
    o.rules_path = env;
  } else if (rules_from_config) {
    o.rules_path = *rules_from_config;
  } else {
    o.rules_path = kDefaultRulesFile;
  }
}

}  // namespace rcc::normalize_test
