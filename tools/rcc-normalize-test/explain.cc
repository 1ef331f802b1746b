#include <iostream>

#include "diag/exit_code.h"
#include "modes.h"
#include "output.h"

namespace rcc::normalize_test {

using nlohmann::json;

int run_explain(const Options& o, const rules::RuleFile& file) {
  rules::Normalizer normalizer(file, o.normalize);
  std::vector<rules::Attempt> attempts;
  std::string result;
  int status = exit_code::kOk;
  auto explain_one = [&](std::string_view number) {
    const auto outcome = normalizer.explain(number, result, attempts);
    const std::string subject(normalizer.subject(number));
    const bool ok = outcome.status == rules::Status::normalized;
    if (!ok) status = exit_code::kFailure;
    if (o.json) {
      json j = outcome_json(number, outcome, result, file);
      j["subject"] = subject;
      json tried = json::array();
      for (const auto& a : attempts) {
        const auto& rule = file.rules[std::size_t(a.rule)];
        json t{{"rule_line", rule.pattern_line}, {"pattern", rule.pattern}, {"matched", a.matched}};
        if (a.limit) t["match_limit"] = true;
        if (a.matched) {
          t["match"] = subject.substr(a.match_begin, a.match_end - a.match_begin);
          json groups = json::array();
          for (const auto& g : a.groups) {
            json gj{{"number", g.number}, {"text", g.text ? json(*g.text) : json(nullptr)}};
            if (!g.name.empty()) gj["name"] = g.name;
            groups.push_back(gj);
          }
          t["groups"] = groups;
          t["translation"] = rule.translation;
        }
        tried.push_back(t);
      }
      j["rules"] = tried;
      std::cout << dump(j) << '\n';
      return;
    }
    std::cout << "number: " << number << '\n';
    if (subject != number) std::cout << "rules see: " << subject << " (after --preprocess)\n";
    for (const auto& a : attempts) {
      const auto& rule = file.rules[std::size_t(a.rule)];
      std::cout << "  line " << rule.pattern_line << ": " << rule.pattern << '\n';
      if (a.limit) {
        std::cout << "    hit the match limit\n";
      } else if (!a.matched) {
        std::cout << "    no match\n";
      } else {
        std::cout << "    matched '" << subject.substr(a.match_begin, a.match_end - a.match_begin)
                  << "' at " << a.match_begin << ".." << a.match_end << '\n';
        for (const auto& g : a.groups) {
          std::cout << "    $" << g.number;
          if (!g.name.empty()) std::cout << " ${" << g.name << "}";
          std::cout << " = " << (g.text ? "'" + *g.text + "'" : std::string("(did not take part)"))
                    << '\n';
        }
        if (!rule.e164)
          std::cout << "    translation (line " << rule.translation_line
                    << "): " << rule.translation << '\n';
      }
    }
    if (ok) {
      std::cout << "result: " << result << '\n';
    } else {
      std::cout << "result: none (" << reason(outcome.status) << ")\n";
    }
  };
  if (o.numbers.empty() || (o.numbers.size() == 1 && o.numbers[0] == "-")) {
    std::string line;
    while (std::getline(std::cin, line)) {
      if (!line.empty() && line.back() == '\r') line.pop_back();
      explain_one(line);
    }
  } else {
    for (const auto& n : o.numbers)
      explain_one(n);
  }
  return status;
}

}  // namespace rcc::normalize_test
