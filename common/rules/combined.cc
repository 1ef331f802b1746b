#include "rules/combined.h"

#include <algorithm>
#include <bitset>
#include <map>
#include <string>

#include "rules/dotnet_regex.h"
#include "rules/pattern_shape.h"

namespace rcc::rules {

bool combinable(const Rule& rule) {
  if (!rule.regex) return false;
  std::uint32_t options = 0;
  pcre2_pattern_info(rule.regex->code(), PCRE2_INFO_ALLOPTIONS, &options);
  if (!(options & PCRE2_ANCHORED)) return false;
  const std::string& p = rule.regex->translated().pcre2;
  if (p.find("\\g{") != std::string::npos || p.find("\\k<") != std::string::npos ||
      p.find("(*") != std::string::npos) {
    return false;
  }
  for (std::size_t at = p.find("(?"); at != std::string::npos; at = p.find("(?", at + 2)) {
    // Escaped "\(?" is a literal parenthesis, not a group.
    std::size_t backslashes = 0;
    for (std::size_t k = at; k > 0 && p[k - 1] == '\\'; --k)
      ++backslashes;
    if (backslashes % 2 == 1) continue;
    const std::string_view rest = std::string_view(p).substr(at + 2);
    const bool plain =
        !rest.empty() && (rest[0] == ':' || rest[0] == '=' || rest[0] == '!' || rest[0] == '>' ||
                          rest.substr(0, 2) == "<=" || rest.substr(0, 2) == "<!");
    if (!plain) return false;
  }
  return true;
}

std::optional<CombinedRun> CombinedRun::build(const RuleFile& file,
                                              std::vector<std::size_t> rules) {
  CombinedRun run;
  std::string pattern;
  int next_group = 1;
  for (std::size_t k = 0; k < rules.size(); ++k) {
    const auto& regex = *file.rules[rules[k]].regex;
    if (k > 0) pattern += '|';
    pattern += '(' + regex.translated().pcre2 + ")(*MARK:" + std::to_string(k) + ')';
    run.group_offset_.push_back(next_group);
    next_group += 1 + int(regex.capture_count());
  }
  int error = 0;
  PCRE2_SIZE offset = 0;
  run.code_.reset(pcre2_compile(
      reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(),
      PCRE2_UTF | PCRE2_UCP | PCRE2_ALT_BSUX | PCRE2_NEVER_BACKSLASH_C | PCRE2_ANCHORED, &error,
      &offset, nullptr));
  if (!run.code_) return std::nullopt;
  run.jit_ = pcre2_jit_compile(run.code_.get(), PCRE2_JIT_COMPLETE) == 0;
  pcre2_pattern_info(run.code_.get(), PCRE2_INFO_CAPTURECOUNT, &run.capture_count_);
  run.rules_ = std::move(rules);
  return run;
}

CombinedRun::Hit CombinedRun::match(std::string_view subject, pcre2_match_data* data) const {
  const auto* s = reinterpret_cast<PCRE2_SPTR>(subject.data());
  const int rc =
      jit_ ? pcre2_jit_match(code_.get(), s, subject.size(), 0, 0, data, shared_match_context())
           : pcre2_match(code_.get(), s, subject.size(), 0, PCRE2_NO_UTF_CHECK, data,
                         shared_match_context());
  Hit hit;
  if (rc == PCRE2_ERROR_NOMATCH) return hit;
  if (rc < 0) {
    hit.error = true;
    return hit;
  }
  const PCRE2_SPTR mark = pcre2_get_mark(data);
  int k = 0;
  for (PCRE2_SPTR p = mark; p && *p; ++p)
    k = k * 10 + (*p - '0');
  hit.rule = int(rules_[std::size_t(k)]);
  hit.group_offset = group_offset_[std::size_t(k)];
  return hit;
}

std::optional<RuleRun> RuleRun::build(const RuleFile& file, std::size_t first, std::size_t last) {
  RuleRun run;
  run.first_ = first;
  run.last_ = last;
  std::vector<std::bitset<257>> starts;
  for (std::size_t i = first; i <= last; ++i)
    starts.push_back(first_bytes(file.rules[i]));
  // Bytes that select the same rules share one program.
  std::map<std::vector<std::size_t>, std::int16_t> program_of_set;
  for (std::size_t b = 0; b < 257; ++b) {
    std::vector<std::size_t> rules;
    for (std::size_t i = first; i <= last; ++i) {
      if (starts[i - first].test(b)) rules.push_back(i);
    }
    if (rules.empty()) {
      run.program_of_[b] = -1;
      continue;
    }
    auto [it, added] = program_of_set.emplace(rules, std::int16_t(run.programs_.size()));
    if (added) {
      auto program = CombinedRun::build(file, rules);
      if (!program) return std::nullopt;
      run.programs_.push_back(std::move(*program));
    }
    run.program_of_[b] = it->second;
  }
  return run;
}

CombinedRun::Hit RuleRun::match(std::string_view subject, pcre2_match_data* data) const {
  const std::size_t b = subject.empty() ? 256 : static_cast<unsigned char>(subject[0]);
  const int program = program_of_[b];
  if (program < 0) return {};
  return programs_[std::size_t(program)].match(subject, data);
}

std::uint32_t RuleRun::capture_count() const {
  std::uint32_t most = 0;
  for (const auto& p : programs_)
    most = std::max(most, p.capture_count());
  return most;
}

}  // namespace rcc::rules
