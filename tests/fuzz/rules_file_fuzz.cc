// Fuzzes the rules-file parser and the .NET-to-PCRE2 translator, then applies every rule that
// compiled, and lints the file: none of it may crash, hang or leak.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "rules/lint.h"
#include "rules/rule_file.h"
#include "rules/rule_set.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto file = rcc::rules::parse_rule_file(text, "fuzz.txt");
  for (const auto& e : file.errors)
    (void)e.render();
  rcc::rules::NormalizeOptions options;
  options.preprocess = size % 2 ? rcc::rules::Preprocess::lync : rcc::rules::Preprocess::none;
  options.semantics = size % 3 ? rcc::rules::Semantics::result : rcc::rules::Semantics::replace;
  (void)rcc::rules::lint(file, options);
  rcc::rules::Normalizer normalizer(file, options);
  std::string result;
  std::vector<rcc::rules::Attempt> attempts;
  for (const char* number : {"+1 (425) 555-1212", "4255551212x12345", "", "abc5xyzQ"}) {
    (void)normalizer.normalize(number, result);
    (void)normalizer.explain(number, result, attempts);
  }
  for (const auto& test : file.tests)
    (void)normalizer.normalize(test.input, result);
  return 0;
}
