#include "modes.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "diag/exit_code.h"
#include "rules/lint.h"

namespace rcc::normalize_test {
namespace {

using nlohmann::json;

constexpr std::size_t kReadChunk = 1u << 20;
constexpr std::size_t kFlushAt = 1u << 20;
// A number longer than this is not a phone number; it is reported and not buffered further.
constexpr std::size_t kMaxLine = 64u << 10;

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
class BatchRunner {
 public:
  BatchRunner(const Options& o, const rules::RuleFile& file)
      : o_(o), file_(file), normalizer_(file, o.normalize), progress_(tool::stderr_is_tty()) {
    out_.reserve(kFlushAt + kMaxLine * 2);
  }

  int run() {
    std::string buffer(kReadChunk, '\0');
    std::string carry;  // an unfinished line from the previous read
    bool overlong = false;
    while (true) {
      const ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        std::perror("rcc-normalize-test: stdin");
        return exit_code::kUsage;
      }
      if (n == 0) break;
      std::string_view chunk(buffer.data(), std::size_t(n));
      while (!chunk.empty()) {
        const auto nl = chunk.find('\n');
        if (nl == std::string_view::npos) {
          if (overlong || chunk.size() > kMaxLine - carry.size()) {
            overlong = true;
          } else {
            carry.append(chunk);
          }
          break;
        }
        const std::string_view line = chunk.substr(0, nl);
        chunk.remove_prefix(nl + 1);
        if (overlong || line.size() > kMaxLine - carry.size()) {
          reject_overlong();
        } else if (!carry.empty()) {
          carry.append(line);
          one(carry);
        } else {
          one(line);
        }
        carry.clear();
        overlong = false;
      }
    }
    if (overlong) {
      reject_overlong();
    } else if (!carry.empty()) {
      one(carry);
    }
    flush();
    if (progress_) std::cerr << "\r\033[K";
    if (failed_ > 0) {
      std::cerr << "rcc-normalize-test: " << failed_ << " of " << count_
                << " numbers not normalized\n";
      return exit_code::kFailure;
    }
    return exit_code::kOk;
  }

 private:
  void one(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++count_;
    const auto outcome = normalizer_.normalize(line, result_);
    const bool ok = outcome.status == rules::Status::normalized;
    if (!ok) ++failed_;
    if (o_.json) {
      out_ += dump(outcome_json(line, outcome, result_, file_));
    } else {
      out_.append(line);
      out_ += '\t';
      if (ok) {
        out_ += result_;
        out_ += '\t';
        out_ += std::to_string(file_.rules[std::size_t(outcome.rule)].pattern_line);
      } else {
        out_ += '\t';
      }
    }
    out_ += '\n';
    if (out_.size() >= kFlushAt) flush();
    if (progress_ && (count_ & 0xFFFF) == 0) show_progress();
  }

  void reject_overlong() {
    ++count_;
    ++failed_;
    std::cerr << "rcc-normalize-test: stdin:" << count_ << ": line longer than " << kMaxLine
              << " bytes, not normalized\n";
    out_ += o_.json ? dump(json{{"input", nullptr},
                                {"normalized", false},
                                {"result", nullptr},
                                {"rule_line", nullptr},
                                {"reason", "line too long"}})
                    : std::string("\t\t");
    out_ += '\n';
  }

  void flush() {
    std::size_t done = 0;
    while (done < out_.size()) {
      const ssize_t n = ::write(STDOUT_FILENO, out_.data() + done, out_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("stdout: write failed");
      done += std::size_t(n);
    }
    out_.clear();
  }

  void show_progress() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress_ < std::chrono::milliseconds(250)) return;
    last_progress_ = now;
    std::cerr << "\r" << count_ << " numbers, " << failed_ << " not normalized" << std::flush;
  }

  const Options& o_;
  const rules::RuleFile& file_;
  rules::Normalizer normalizer_;
  bool progress_;
  std::string out_, result_;
  std::size_t count_ = 0, failed_ = 0;
  std::chrono::steady_clock::time_point last_progress_{};
};

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

}  // namespace

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
    return BatchRunner(o, *file).run();
  }
  return run_arguments(o, *file);
}

}  // namespace rcc::normalize_test
