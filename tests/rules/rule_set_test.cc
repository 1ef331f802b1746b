#include "rules/rule_set.h"

#include <catch2/catch.hpp>

#include "rules/lint.h"
#include "rules_helpers.h"

using namespace rcc::rules;
using rcc::rules::test::apply;

namespace {

const char* kSample =
    "# ++ test RTP## PSTN:+61262637900, Extension:37XXX\n"
    "[\\s()\\-\\./\\+]*(61)?[\\s()\\-\\./]*0?(2)\\)?[\\s()\\-\\./]*(6263)[\\s()\\-\\./"
    "]*(7\\d\\d\\d)\n"
    "3$4;phone-context=dialstring\n"
    "[\\s()\\-\\./\\+]*(61)?[\\s()\\-\\./]*0?(3)\\)?[\\s()\\-\\./]*(8804)[\\s()\\-\\./"
    "]*(3\\d\\d\\d)\n"
    "3$4;phone-context=dialstring\n"
    "^(\\d{3})$\n"
    "$1;phone-context=dialstring\n";

std::vector<std::string> checks(const std::string& text, NormalizeOptions options = {}) {
  const auto file = parse_rule_file(text, "r.txt");
  std::vector<std::string> out;
  for (const auto& f : lint(file, options))
    out.push_back(f.check + "@" + std::to_string(f.where.line));
  return out;
}

}  // namespace

TEST_CASE("first matching rule wins and reports its index", "[rules][normalize]") {
  const auto file = parse_rule_file(kSample, "r.txt");
  REQUIRE(file.errors.empty());
  Normalizer n(file);
  std::string result;
  auto o = n.normalize("+61388043187", result);
  CHECK(o.status == Status::normalized);
  CHECK(o.rule == 1);
  CHECK(result == "tel:33187;phone-context=dialstring");
  o = n.normalize("123", result);
  CHECK(o.rule == 2);
  CHECK(result == "tel:123;phone-context=dialstring");
  CHECK(n.normalize("12345", result).status == Status::no_match);
  CHECK(n.normalize("\xFF", result).status == Status::invalid_utf8);
}

TEST_CASE("E164 rule takes up to 15 digits with punctuation ignored", "[rules][normalize]") {
  std::string digits;
  CHECK(match_e164("1 (425) 555-1212", digits));
  CHECK(digits == "14255551212");
  CHECK(match_e164("123456789012345", digits));
  CHECK_FALSE(match_e164("1234567890123456", digits));
  CHECK_FALSE(match_e164("+14255551212", digits));
  CHECK_FALSE(match_e164("", digits));
  CHECK_FALSE(match_e164("( ) -", digits));
  CHECK_FALSE(match_e164("\xD9\xA1", digits));  // ASCII digits only
}

TEST_CASE("lync pre-processing strips whitespace and punctuation", "[rules][normalize]") {
  std::string out;
  lync_preprocess("+1 (425) 555-1212 *!@.\xC2\xA0x", out);
  CHECK(out == "+14255551212x");
  NormalizeOptions lync;
  lync.preprocess = Preprocess::lync;
  CHECK(apply(R"(^\+1(\d{10})$)", "+1$1", "+1 (425) 555-1212", lync) == "tel:+14255551212");
  CHECK(apply(R"(^\+1(\d{10})$)", "+1$1", "+1 (425) 555-1212") == std::nullopt);
}

TEST_CASE("replace semantics replaces every match and keeps the rest", "[rules][normalize]") {
  NormalizeOptions replace;
  replace.semantics = Semantics::replace;
  CHECK(apply(R"(\d)", "x", "a1b2", replace) == "tel:axbx");
  CHECK(apply(R"(x*)", "-", "ab", replace) == "tel:-a-b-");
}

TEST_CASE("explain lists every rule tried and the groups of the match", "[rules][normalize]") {
  const auto file = parse_rule_file(kSample, "r.txt");
  Normalizer n(file);
  std::string result;
  std::vector<Attempt> attempts;
  const auto o = n.explain("+61388043187", result, attempts);
  CHECK(o.status == Status::normalized);
  REQUIRE(attempts.size() == 2);
  CHECK_FALSE(attempts[0].matched);
  CHECK(attempts[1].matched);
  REQUIRE(attempts[1].groups.size() == 4);
  CHECK(attempts[1].groups[0].text == "61");
  CHECK(attempts[1].groups[3].text == "3187");
  CHECK(attempts[1].match_end == 12);
}

TEST_CASE("lint finds a broken expression with its column", "[rules][lint]") {
  const auto file = parse_rule_file("^(\\d{3}$\n$1\n", "r.txt");
  const auto findings = lint(file, {});
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].check == "invalid-pattern");
  CHECK(findings[0].severity == Severity::error);
  CHECK(render(findings[0]) ==
        "r.txt:1:9: error: missing closing parenthesis [invalid-pattern]\n    ^(\\d{3}$\n          "
        "  ^\n");
}

TEST_CASE("lint finds a translation naming a group the pattern lacks", "[rules][lint]") {
  CHECK(checks("^(\\d)$\n+1$2\n") == std::vector<std::string>{"unknown-group@2"});
  CHECK(checks("^(?<a>\\d)$\n${b}\n") == std::vector<std::string>{"unknown-group@2"});
  CHECK(checks("^(\\d)$\n$$2 costs $\n").empty());
}

TEST_CASE("lint finds a pattern without its translation", "[rules][lint]") {
  CHECK(checks("^1$\n2\n^3$\n") == std::vector<std::string>{"missing-translation@3"});
}

TEST_CASE("lint finds duplicate patterns", "[rules][lint]") {
  CHECK(checks("^(\\d{4})$\n$1\n^(\\d{4})$\n+1$1\n") ==
        std::vector<std::string>{"duplicate-pattern@3"});
}

TEST_CASE("lint finds rules that an earlier rule always shadows", "[rules][lint]") {
  // Same length, wider class earlier.
  CHECK(checks("^(\\d{4})$\n$1\n^5(\\d{3})$\n$1\n") == std::vector<std::string>{"shadowed-rule@3"});
  // An unanchored earlier pattern found inside every match of the later one.
  CHECK(checks("(\\d{3})\n$1\n^12(\\d{3})$\n$1\n") == std::vector<std::string>{"shadowed-rule@3"});
  // A pattern that matches the empty string matches every number.
  CHECK(checks("\\d*\n$0\n^1$\n1\n") == std::vector<std::string>{"shadowed-rule@3"});
  // E164 takes every anchored all-digit pattern of 15 or fewer digits.
  CHECK(checks("E164\nignored\n^([0-9]{10})$\n+1$1\n") ==
        std::vector<std::string>{"shadowed-rule@3"});
  // ... but not \d, which also takes non-ASCII digits that E164 refuses.
  CHECK(checks("E164\nignored\n^(\\d{10})$\n+1$1\n").empty());
  // Not provable, so not reported: narrower earlier rule, different anchors, variable lengths.
  CHECK(checks("^5(\\d{3})$\n$1\n^(\\d{4})$\n$1\n").empty());
  CHECK(checks("^(\\d{4})\n$1\n^(\\d{4})$\n$1\n") == std::vector<std::string>{"shadowed-rule@3"});
  CHECK(checks("^(\\d{4})$\n$1\n^(\\d{4})\n$1\n").empty());
  CHECK(checks("^(\\d{3,4})$\n$1\n^(\\d{2})$\n$1\n").empty());
  CHECK(checks("(?=1)\\d*\n$0\n^1$\n1\n").empty());
  CHECK(checks("E164\nignored\n^([0-9]{16})$\n$1\n").empty());
}

TEST_CASE("lint finds non-ASCII digits", "[rules][lint]") {
  CHECK(checks("^\xD9\xA1(\\d)$\n$1\n") == std::vector<std::string>{"non-ascii-digit@1"});
  CHECK(checks("^(\\d)$\n+\xEF\xBC\x91$1\n") == std::vector<std::string>{"non-ascii-digit@2"});
}

TEST_CASE("lint warns about patterns ending in whitespace", "[rules][lint]") {
  CHECK(checks("^(\\d)$ \n$1\n") == std::vector<std::string>{"trailing-whitespace@1"});
}

TEST_CASE("lint with lync pre-processing finds rules needing stripped characters",
          "[rules][lint]") {
  NormalizeOptions lync;
  lync.preprocess = Preprocess::lync;
  const std::string needs_paren = "\\s*\\(\\s*\\d\\d\\d\\s*\\)\\s*\\-\\s*\\d\\d\\d\n+1\n";
  CHECK(checks(needs_paren, lync) == std::vector<std::string>{"lync-stripped@1"});
  CHECK(checks(needs_paren).empty());
  CHECK(checks("^(\\d{3})\\s(\\d{4})$\n$1$2\n", lync) ==
        std::vector<std::string>{"lync-stripped@1"});
  CHECK(checks("^(\\d{3})(-|/)(\\d{4})$\n$1$3\n", lync).empty());  // '/' survives
  CHECK(checks("\\s*\\(?\\s*\\d\\d\\d\\s*\\)?\\s*\\-?\\d\n+1\n", lync).empty());
}
