#include "rules/rule_file.h"

#include <catch2/catch.hpp>

using rcc::rules::parse_rule_file;

TEST_CASE("rule file pairs lines and skips comments and blank lines", "[rules][file]") {
  const auto f = parse_rule_file(
      "# comment\n\n^(\\d{3})$\n\n  # indented comment\n$1\nE164\nignored\n", "r.txt");
  CHECK(f.errors.empty());
  REQUIRE(f.rules.size() == 2);
  CHECK(f.rules[0].pattern == "^(\\d{3})$");
  CHECK(f.rules[0].pattern_line == 3);
  CHECK(f.rules[0].translation == "$1");
  CHECK(f.rules[0].translation_line == 6);
  CHECK(f.rules[1].e164);
  CHECK_FALSE(f.rules[1].regex);
}

TEST_CASE("rule file accepts CRLF and a UTF-8 BOM", "[rules][file]") {
  const auto f = parse_rule_file("\xEF\xBB\xBF^(\\d)$\r\n$1\r\n", "r.txt");
  CHECK(f.errors.empty());
  REQUIRE(f.rules.size() == 1);
  CHECK(f.rules[0].pattern == "^(\\d)$");
  CHECK(f.rules[0].translation == "$1");
}

TEST_CASE("rule file reports a broken pattern with line and column", "[rules][file]") {
  const auto f = parse_rule_file("# x\n^(\\d{3}$\n$1\n", "r.txt");
  REQUIRE(f.errors.size() == 1);
  const auto& e = f.errors[0];
  CHECK(e.code() == rcc::rules::Errc::invalid_pattern);
  CHECK(e.message() == "r.txt:2:9: missing closing parenthesis");
  CHECK(e.render() == "r.txt:2:9: missing closing parenthesis\n    ^(\\d{3}$\n            ^\n");
}

TEST_CASE("rule file columns count characters after a BOM", "[rules][file]") {
  const auto f = parse_rule_file("\xEF\xBB\xBF\xC3\xA9[a-z-[b]]\n$1\n", "r.txt");
  REQUIRE(f.errors.size() == 1);
  CHECK(f.errors[0].where()->column == 6);
}

TEST_CASE("rule file reports a pattern without a translation", "[rules][file]") {
  const auto f = parse_rule_file("^1$\n2\n^(3)$\n", "r.txt");
  REQUIRE(f.errors.size() == 1);
  CHECK(f.errors[0].code() == rcc::rules::Errc::missing_translation);
  CHECK(f.errors[0].where()->line == 3);
}

TEST_CASE("rule file with bad UTF-8 keeps pairing the other lines", "[rules][file]") {
  const auto f = parse_rule_file("^\xFF$\n$1\n^(2)$\n$1\n", "r.txt");
  REQUIRE(f.errors.size() == 1);
  CHECK(f.errors[0].code() == rcc::rules::Errc::invalid_utf8);
  REQUIRE(f.rules.size() == 2);
  CHECK(f.rules[1].pattern == "^(2)$");
  CHECK(f.rules[1].translation == "$1");
}

TEST_CASE("rule file reads tests from comments in any case", "[rules][file]") {
  const auto f = parse_rule_file(
      "# Test input +61388043187, Test result-> tel:33187;phone-context=dialstring\n"
      "#test INPUT 123 ,   test result ->tel:123\n"
      "# Test input 999, Test result-> NOMATCH\n"
      "# ++ test RTP## PSTN:+61262637900, Extension:37XXX\n",
      "r.txt");
  REQUIRE(f.tests.size() == 3);
  CHECK(f.tests[0].input == "+61388043187");
  CHECK(f.tests[0].expected == "tel:33187;phone-context=dialstring");
  CHECK(f.tests[0].line == 1);
  CHECK(f.tests[1].input == "123");
  CHECK(f.tests[1].expected == "tel:123");
  CHECK(f.tests[2].expected == std::nullopt);
}

TEST_CASE("rule file that cannot be read is an error naming it", "[rules][file]") {
  auto f = rcc::rules::load_rule_file("/nonexistent/rules.txt");
  REQUIRE_FALSE(f);
  CHECK(f.error().code() == rcc::Errc::file_not_found);
  CHECK_THAT(f.error().message(), Catch::StartsWith("/nonexistent/rules.txt: "));
}
