#include "rules/rule_set.h"

#include <algorithm>

#include "util/utf8.h"

namespace rcc::rules {
namespace {

bool starts_with_tel(std::string_view s) {
  return s.size() >= 4 && (s[0] == 't' || s[0] == 'T') && (s[1] == 'e' || s[1] == 'E') &&
         (s[2] == 'l' || s[2] == 'L') && s[3] == ':';
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  }
  return true;
}

}  // namespace

bool match_e164(std::string_view number, std::string& digits) {
  digits.clear();
  for (char c : number) {
    if (c >= '0' && c <= '9') {
      if (digits.size() == 15) return false;
      digits.push_back(c);
    } else if (c != ' ' && c != '.' && c != '-' && c != '(' && c != ')') {
      return false;
    }
  }
  return !digits.empty();
}

void lync_preprocess(std::string_view number, std::string& out) {
  out.clear();
  for (std::size_t i = 0; i < number.size();) {
    const std::size_t start = i;
    const char32_t c = util::decode_utf8(number, i);
    const bool stripped = util::is_unicode_space(c) || c == '!' || c == '@' || c == '.' ||
                          c == '-' || c == '*' || c == '(' || c == ')';
    if (!stripped) out.append(number.substr(start, i - start));
  }
}

Normalizer::Normalizer(const RuleFile& file, NormalizeOptions options)
    : file_(file), options_(options) {
  std::uint32_t pairs = 1;
  for (const auto& rule : file.rules) {
    if (rule.regex) pairs = std::max(pairs, rule.regex->capture_count() + 1);
  }
  run_at_.assign(file.rules.size(), -1);
  if (options.semantics == Semantics::result) {
    for (std::size_t i = 0; i < file.rules.size();) {
      std::size_t j = i;
      while (j < file.rules.size() && combinable(file.rules[j]))
        ++j;
      if (j - i >= 2) {
        if (auto run = RuleRun::build(file, i, j - 1)) {
          pairs = std::max(pairs, run->capture_count() + 1);
          run_at_[i] = int(runs_.size());
          runs_.push_back(std::move(*run));
        }
      }
      i = j > i ? j : i + 1;
    }
  }
  match_data_.reset(pcre2_match_data_create(pairs, nullptr));
}

std::string_view Normalizer::subject(std::string_view number) {
  if (options_.preprocess == Preprocess::none) return number;
  lync_preprocess(number, scratch_);
  return scratch_;
}

int Normalizer::match(std::size_t index, std::string_view subject) {
  const Rule& rule = file_.rules[index];
  if (rule.e164) return match_e164(subject, e164_digits_) ? 1 : PCRE2_ERROR_NOMATCH;
  if (!rule.regex) return PCRE2_ERROR_NOMATCH;
  const auto* data = reinterpret_cast<PCRE2_SPTR>(subject.data());
  if (rule.regex->jit()) {
    return pcre2_jit_match(rule.regex->code(), data, subject.size(), 0, 0, match_data_.get(),
                           shared_match_context());
  }
  return pcre2_match(rule.regex->code(), data, subject.size(), 0, PCRE2_NO_UTF_CHECK,
                     match_data_.get(), shared_match_context());
}

void Normalizer::build_result(const Rule& rule, std::string_view subject, const PCRE2_SIZE* ov,
                              std::string& result) {
  result.assign("tel:");
  if (rule.e164) {
    result += '+';
    result += e164_digits_;
    return;
  }
  if (options_.semantics == Semantics::result) {
    rule.substitution.expand(subject, ov, result);
  } else {
    // .NET Regex.Replace: every non-overlapping match, text between them kept.
    std::size_t copied = 0;
    while (true) {
      const PCRE2_SIZE begin = ov[0], end = ov[1];
      result.append(subject.substr(copied, begin - copied));
      rule.substitution.expand(subject, ov, result);
      copied = end;
      std::size_t next = end;
      if (end == begin) {  // empty match: step over one character
        if (next >= subject.size()) break;
        next += std::min(util::utf8_sequence_length(static_cast<unsigned char>(subject[next])),
                         subject.size() - next);
        result.append(subject.substr(copied, next - copied));
        copied = next;
      }
      if (next > subject.size()) break;
      const int rc = pcre2_match(rule.regex->code(), reinterpret_cast<PCRE2_SPTR>(subject.data()),
                                 subject.size(), next, PCRE2_NO_UTF_CHECK, match_data_.get(),
                                 shared_match_context());
      if (rc < 0) break;
    }
    result.append(subject.substr(std::min(copied, subject.size())));
  }
  // OCS 2007-era translations carry their own "tel:".
  if (starts_with_tel(std::string_view(result).substr(4))) result.erase(0, 4);
}

Outcome Normalizer::normalize(std::string_view number, std::string& result) {
  const std::string_view s = subject(number);
  if (!is_ascii(s) && !util::is_valid_utf8(s)) return {Status::invalid_utf8, -1};
  const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match_data_.get());
  std::size_t run_end = 0;  // rules before this were covered by a combined run that failed
  for (std::size_t i = 0; i < file_.rules.size(); ++i) {
    if (i >= run_end && run_at_[i] >= 0) {
      const RuleRun& run = runs_[std::size_t(run_at_[i])];
      const auto hit = run.match(s, match_data_.get());
      if (!hit.error) {
        if (hit.rule >= 0) {
          build_result(file_.rules[std::size_t(hit.rule)], s, ov + 2 * hit.group_offset, result);
          return {Status::normalized, hit.rule};
        }
        i = run.last();
        continue;
      }
      run_end = run.last() + 1;  // match this run rule by rule, to name the rule at fault
    }
    const int rc = match(i, s);
    if (rc == PCRE2_ERROR_NOMATCH) continue;
    if (rc < 0) return {Status::match_limit, int(i)};
    build_result(file_.rules[i], s, ov, result);
    return {Status::normalized, int(i)};
  }
  return {Status::no_match, -1};
}

Outcome Normalizer::explain(std::string_view number, std::string& result,
                            std::vector<Attempt>& attempts) {
  attempts.clear();
  const std::string_view s = subject(number);
  if (!util::is_valid_utf8(s)) return {Status::invalid_utf8, -1};
  for (std::size_t i = 0; i < file_.rules.size(); ++i) {
    const Rule& rule = file_.rules[i];
    Attempt& attempt = attempts.emplace_back();
    attempt.rule = int(i);
    const int rc = match(i, s);
    if (rc == PCRE2_ERROR_NOMATCH) continue;
    if (rc < 0) {
      attempt.limit = true;
      return {Status::match_limit, int(i)};
    }
    attempt.matched = true;
    if (rule.e164) {
      attempt.match_end = s.size();
    } else {
      const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match_data_.get());
      attempt.match_begin = ov[0];
      attempt.match_end = ov[1];
      const auto& t = rule.regex->translated();
      for (int n = 1; n <= t.group_count; ++n) {
        Attempt::Group g;
        g.number = n;
        for (const auto& [name, number_of_name] : t.names) {
          if (number_of_name == n) g.name = name;
        }
        const int p = t.pcre2_group[std::size_t(n)];
        if (ov[2 * p] != PCRE2_UNSET)
          g.text = std::string(s.substr(ov[2 * p], ov[2 * p + 1] - ov[2 * p]));
        attempt.groups.push_back(std::move(g));
      }
    }
    build_result(rule, s, pcre2_get_ovector_pointer(match_data_.get()), result);
    return {Status::normalized, int(i)};
  }
  return {Status::no_match, -1};
}

}  // namespace rcc::rules
