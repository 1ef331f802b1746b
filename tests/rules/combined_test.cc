#include "rules/combined.h"

#include <catch2/catch.hpp>

#include <random>

#include "rules/pattern_shape.h"
#include "rules/rule_set.h"

using namespace rcc::rules;

namespace {

// Rules whose combination and first-byte dispatch must not change any result: anchored and
// unanchored, nullable, named groups, back-references, options, lookarounds, non-ASCII.
const char* kMixed =
    "^\\+?1?[\\s.\\-]*\\(?(425)\\)?[\\s.\\-]*(\\d{3})[\\s.\\-]*(\\d{4})$\n+1$1$2$3\n"
    "^5(\\d{4})$\n+1425555$1\n"
    "^(?:\\+|00)(44)[\\s]*(\\d+)$\n+$1$2\n"
    "^(?<ext>\\d{3})$\n${ext};phone-context=dialstring\n"
    "^(\\d)\\1(\\d)$\n$1$2\n"
    "^(?i)x(\\d+)$\n$1\n"
    "^\\d*$\n[$0]\n"
    "^(?=9)(\\d{2})\n$1\n"
    "(\\d{10})[x|X](\\d{5})\n+1$1;ext=$2\n"
    "^\xD9\xA1(\\d)$\n$1\n"
    "^[^0-9+]\\w*$\n[$0]\n"
    "E164\nx\n"
    "^.+$\n[$0]\n";

}  // namespace

TEST_CASE("combinable takes anchored rules without cross-pattern constructs", "[rules][combined]") {
  const auto file = parse_rule_file(kMixed, "r.txt");
  REQUIRE(file.errors.empty());
  std::vector<bool> got;
  for (const auto& r : file.rules)
    got.push_back(combinable(r));
  CHECK(got == std::vector<bool>{true, true, true, false, false, false, true, true, false, true,
                                 true, false, true});
}

TEST_CASE("first bytes over-approximate where a match can begin", "[rules][combined]") {
  const auto file =
      parse_rule_file("^5(\\d{4})$\nx\n^\\+?1?\\(?(425)\nx\n^\\d*$\nx\n^(?i)x\nx\n", "r.txt");
  const auto five = first_bytes(file.rules[0]);
  CHECK(five.test('5'));
  CHECK(five.count() == 1);
  const auto nanp = first_bytes(file.rules[1]);
  CHECK((nanp.test('+') && nanp.test('1') && nanp.test('(') && nanp.test('4')));
  CHECK_FALSE(nanp.test('5'));
  CHECK_FALSE(nanp.test(256));
  CHECK(first_bytes(file.rules[2]).all());  // can match empty: every byte
  CHECK(first_bytes(file.rules[3]).all());  // inline options are not modelled
}

TEST_CASE("combined runs give the same result as rule-by-rule matching", "[rules][combined]") {
  const auto file = parse_rule_file(kMixed, "r.txt");
  REQUIRE(file.errors.empty());
  Normalizer fast(file), slow(file);
  std::mt19937 rng(7);
  const std::string alphabet = "0123456789+-(). xX|ab\xD9\xA1";
  std::vector<std::string> numbers = {"",
                                      "+1 (425) 555-1212",
                                      "51234",
                                      "0044 2071234567",
                                      "123",
                                      "557",
                                      "X42",
                                      "9123",
                                      "4255551212x12345",
                                      "\xD9\xA1"
                                      "5",
                                      "abc_1",
                                      "1 (425) 555-1212",
                                      "++"};
  for (int i = 0; i < 5000; ++i) {
    std::string n;
    const int len = int(rng() % 18);
    for (int k = 0; k < len; ++k)
      n += alphabet[rng() % alphabet.size()];
    numbers.push_back(n);
  }
  std::string a, b;
  std::vector<Attempt> attempts;
  for (const auto& n : numbers) {
    INFO("number '" << n << "'");
    const auto fo = fast.normalize(n, a);
    const auto so = slow.explain(n, b, attempts);  // explain matches rule by rule
    REQUIRE(fo.status == so.status);
    REQUIRE(fo.rule == so.rule);
    if (fo.status == Status::normalized) REQUIRE(a == b);
  }
}
