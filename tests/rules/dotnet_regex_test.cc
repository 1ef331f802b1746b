#include "rules/dotnet_regex.h"

#include <catch2/catch.hpp>

#include "rules_helpers.h"

using rcc::rules::compile_dotnet;
using rcc::rules::PatternProblem;
using rcc::rules::translate_dotnet;
using rcc::rules::TranslatedPattern;
using rcc::rules::test::apply;

namespace {

// The problem a pattern is refused with, or "" when it compiles.
std::string refusal(const std::string& pattern) {
  auto compiled = compile_dotnet(pattern);
  if (auto* p = std::get_if<PatternProblem>(&compiled)) return p->what;
  return "";
}
std::size_t refusal_offset(const std::string& pattern) {
  auto compiled = compile_dotnet(pattern);
  REQUIRE(std::holds_alternative<PatternProblem>(compiled));
  return std::get<PatternProblem>(compiled).offset;
}

}  // namespace

TEST_CASE("dotnet constructs that rules use compile and match", "[rules][dotnet]") {
  CHECK(apply(R"(^\d{3}\s\d{4}$)", "$0", "555 1212") == "tel:555 1212");
  CHECK(apply(R"(^\+?1\-(\d{3})\/(\d{4})$)", "$1$2", "+1-555/1212") == "tel:5551212");
  CHECK(apply(R"(^(?:00|\+)(\d+)$)", "+$1", "0049301234") == "tel:+49301234");
  CHECK(apply(R"(^(?<area>\d{3})-(?<num>\d{4})$)", "${area}${num}", "555-1212") == "tel:5551212");
  CHECK(apply(R"(^(?'area'\d{3})-(\d{4})$)", "$1-${area}", "555-1212") == "tel:1212-555");
  CHECK(apply(R"(^\d{2,4}(?=x)x(\d+)$)", "$1", "123x45") == "tel:45");
  CHECK(apply(R"(^(?!9)(\d{4})$)", "$1", "9123") == std::nullopt);
  CHECK(apply(R"((?<=\+)(\d+))", "+$1", "+4930") == "tel:+4930");
  CHECK(apply(R"((?<!\d)(\d{3})$)", "$1", "x123") == "tel:123");
  CHECK(apply(R"(^(\d)\1(\d)$)", "$1$2", "557") == "tel:57");
  CHECK(apply(R"(^(?<d>\d)\k<d>$)", "$1", "55") == "tel:5");
  CHECK(apply(R"(^(?i)EXT(\d+)$)", "$1", "ext42") == "tel:42");
  CHECK(apply(R"(^\u0031(\d)$)", "$1", "17") == "tel:7");
  CHECK(apply(R"(^\x31(\d)$)", "$1", "17") == "tel:7");
  CHECK(apply(R"(^1(?#area code next)(\d)$)", "$1", "17") == "tel:7");
  CHECK(apply(R"(^1{,2}$)", "ok", "1{,2}") == "tel:ok");  // {,n} is literal in .NET
}

TEST_CASE("dotnet \\d matches Unicode digits as .NET does", "[rules][dotnet]") {
  CHECK(apply(R"(^(\d{4})$)", "$1", "\xD9\xA1\xD9\xA2\xD9\xA3\xD9\xA4") ==
        "tel:\xD9\xA1\xD9\xA2\xD9\xA3\xD9\xA4");
  CHECK(apply(R"(^1\s2$)", "ok",
              "1\xC2\xA0"
              "2") == "tel:ok");  // NO-BREAK SPACE is \s
}

TEST_CASE("dotnet group numbering puts named groups after unnamed ones", "[rules][dotnet]") {
  auto t = translate_dotnet(R"(((?<One>abc)\d+)?(?<Two>xyz)(.*))");
  REQUIRE(std::holds_alternative<TranslatedPattern>(t));
  const auto& tp = std::get<TranslatedPattern>(t);
  CHECK(tp.group_count == 4);
  CHECK(tp.pcre2_group == std::vector<int>{0, 1, 4, 2, 3});
  CHECK(tp.names.at("One") == 3);
  CHECK(tp.names.at("Two") == 4);
}

TEST_CASE("dotnet back-references use .NET numbers", "[rules][dotnet]") {
  // (?<n>a)(b)\1 : .NET group 1 is (b), so \1 must repeat b, not a.
  CHECK(apply(R"(^(?<n>a)(b)\1$)", "$1", "abb") == "tel:b");
  CHECK(apply(R"(^(?<n>a)(b)\1$)", "$1", "aba") == std::nullopt);
  auto t = translate_dotnet(R"((?<n>a)(b)\1)");
  REQUIRE(std::holds_alternative<TranslatedPattern>(t));
  CHECK(std::get<TranslatedPattern>(t).pcre2 == R"((?<n>a)(b)\g{2})");
}

TEST_CASE("dotnet explicit capture (?n) leaves unnamed groups uncaptured", "[rules][dotnet]") {
  CHECK(apply(R"((?n)^(\d)(?<x>\d)$)", "[$1]", "12") == "tel:[2]");
  auto t = translate_dotnet(R"((?n)(a)(?<x>b))");
  REQUIRE(std::holds_alternative<TranslatedPattern>(t));
  CHECK(std::get<TranslatedPattern>(t).group_count == 1);
}

TEST_CASE("dotnet conditionals, including the implicit-lookahead form", "[rules][dotnet]") {
  CHECK(apply(R"(^(\+)?(?(1)\d{11}|\d{4})$)", "ok", "+12345678901") == "tel:ok");
  CHECK(apply(R"(^(\+)?(?(1)\d{11}|\d{4})$)", "ok", "1234") == "tel:ok");
  CHECK(apply(R"(^(\+)?(?(1)\d{11}|\d{4})$)", "ok", "+1234") == std::nullopt);
  // (?(expr)yes|no): expr is a lookahead in .NET.
  CHECK(apply(R"(^(?(\+)\+(\d+)|(\d+))$)", "[$1][$2]", "+49") == "tel:[49][]");
  CHECK(apply(R"(^(?(\+)\+(\d+)|(\d+))$)", "[$1][$2]", "49") == "tel:[][49]");
  // A name that is no group is an expression too.
  CHECK(apply(R"(^(?(x)x(\d)|(\d))$)", "[$1][$2]", "x4") == "tel:[4][]");
  auto t = translate_dotnet(R"((?(x\d)a|b))");
  REQUIRE(std::holds_alternative<TranslatedPattern>(t));
  CHECK(std::get<TranslatedPattern>(t).pcre2 == R"((?(?=x\d)a|b))");
  t = translate_dotnet(R"((?(ab)a|b))");
  REQUIRE(std::holds_alternative<TranslatedPattern>(t));
  CHECK(std::get<TranslatedPattern>(t).pcre2 == R"((?(?=ab)a|b))");
}

TEST_CASE("dotnet \\v is only vertical tab", "[rules][dotnet]") {
  auto t = translate_dotnet(R"(a\vb)");
  REQUIRE(std::holds_alternative<TranslatedPattern>(t));
  CHECK(std::get<TranslatedPattern>(t).pcre2 == R"(a\x0Bb)");
  CHECK(apply(R"(^a\vb$)", "ok", "a\nb") == std::nullopt);
}

TEST_CASE("dotnet features PCRE2 cannot run are refused with a clear reason", "[rules][dotnet]") {
  CHECK_THAT(refusal(R"((?<a-b>x))"), Catch::Contains("balancing group"));
  CHECK_THAT(refusal(R"((?<-b>x))"), Catch::Contains("balancing group"));
  CHECK_THAT(refusal(R"([a-z-[aeiou]])"), Catch::Contains("subtraction"));
  CHECK_THAT(refusal(R"((?<5>x))"), Catch::Contains("numbered group"));
  CHECK_THAT(refusal(R"((?<a>x)(?<a>y))"), Catch::Contains("used twice"));
  CHECK_THAT(refusal(R"(\p{IsGreek})"), Catch::Contains("Unicode block"));
  CHECK_THAT(refusal(R"((?<=\d+)x)"), Catch::Contains("variable-length lookbehind"));
  CHECK_THAT(refusal(R"([[:digit:]])"), Catch::Contains("POSIX class"));
}

TEST_CASE("PCRE2-only syntax that .NET would refuse is refused", "[rules][dotnet]") {
  CHECK_THAT(refusal(R"(\d++)"), Catch::Contains("possessive"));
  CHECK_THAT(refusal(R"(a{2}+)"), Catch::Contains("possessive"));
  CHECK_THAT(refusal(R"(a\Kb)"), Catch::Contains("PCRE2 syntax"));
  CHECK_THAT(refusal(R"(\Qa.b\E)"), Catch::Contains("PCRE2 syntax"));
  CHECK_THAT(refusal(R"(\h)"), Catch::Contains("PCRE2 syntax"));
  CHECK_THAT(refusal(R"((a)(?1))"), Catch::Contains("PCRE2 syntax"));
  CHECK_THAT(refusal(R"((?|a|b))"), Catch::Contains("PCRE2 syntax"));
  CHECK_THAT(refusal(R"((?P<x>a))"), Catch::Contains("PCRE2 syntax"));
  CHECK_THAT(refusal(R"((*UTF)a)"), Catch::Contains("PCRE2 syntax"));
  CHECK_THAT(refusal(R"(\x{41})"), Catch::Contains("two hex digits"));
  CHECK_THAT(refusal(R"((?J)a)"), Catch::Contains("PCRE2 syntax"));
  CHECK_THAT(refusal(R"((?iJ)a)"), Catch::Contains("unknown inline option 'J'"));
  CHECK_THAT(refusal(R"(\q)"), Catch::Contains("unrecognized escape"));
}

TEST_CASE("dotnet references to missing groups are refused", "[rules][dotnet]") {
  CHECK_THAT(refusal(R"((a)\2)"), Catch::Contains("undefined group number 2"));
  CHECK_THAT(refusal(R"(\k<nope>)"), Catch::Contains("undefined group name"));
  CHECK_THAT(refusal(R"((a)(?(3)b))"), Catch::Contains("undefined group number 3"));
}

TEST_CASE("problems point at the offending place in the .NET text", "[rules][dotnet]") {
  CHECK(refusal_offset(R"(^\d{3}[a-z-[aeiou]])") == 10);
  CHECK(refusal_offset(R"(^(\d)\2)") == 5);
  // PCRE2's own error offsets are mapped back through rewrites (\v became four bytes).
  CHECK(refusal_offset(R"(\v\v(x)") == 6);
  CHECK(refusal_offset(R"(\v\v(x)**)") == 8);
  CHECK(refusal(R"(\v\v(x)").find("missing closing parenthesis") != std::string::npos);
  CHECK_THAT(refusal(R"(a\)"), Catch::Contains("end of the pattern"));
  CHECK_THAT(refusal(R"([abc)"), Catch::Contains("no closing ]"));
}

TEST_CASE("catastrophic patterns stop at the match limit instead of hanging", "[rules][dotnet]") {
  const auto file = rcc::rules::parse_rule_file("^(\\d+)+$\n$1\n", "t.txt");
  REQUIRE(file.errors.empty());
  rcc::rules::Normalizer n(file);
  std::string result;
  const auto outcome = n.normalize(std::string(40, '1') + "x", result);
  CHECK(outcome.status == rcc::rules::Status::match_limit);
  CHECK(outcome.rule == 0);
}
