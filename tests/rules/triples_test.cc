// The 28 (input, rule, expected) triples of the public sources docs/protocol.md lists for
// normalization rules. Expected values there are translations; the tool's result is "tel:" and the
// translation.

#include <catch2/catch.hpp>

#include "rules_helpers.h"

using rcc::rules::test::apply;

namespace {

struct Triple {
  int number;
  const char* input;
  const char* pattern;
  const char* translation;
  const char* expected;  // nullptr: not normalized
};

const Triple kTriples[] = {
    {1, "1234", R"(^(\d{4})$)", "+1425555$1", "tel:+14255551234"},
    {2, "81234", R"(^8(\d{4})$)", "+1425558$1", "tel:+14255581234"},
    {3, "5551212", R"(^(\d{7})$)", "+1425$1", "tel:+14255551212"},
    {4, "5551212", R"(^(\d{7})$)", "+1972$1", "tel:+19725551212"},
    {5, "0100", R"(^(\d{4})$)", "+1425555$1", "tel:+14255550100"},
    {6, "50100", R"(^5(\d{4})$)", "+1425555$1", "tel:+14255550100"},
    {7, "2065551212", R"(^(\d{10})$)", "+1$1", "tel:+12065551212"},
    {8, "5550100", R"(^(\d{7})$)", "+1425$1", "tel:+14255550100"},
    {9, "5550123", R"(^([0-9]{7})$)", "+1425$1", "tel:+14255550123"},
    {10, "54444", R"(^5(\d{4})$)", "+1425555$1", "tel:+14255554444"},
    {11, "52345678", R"(^5(\d{7})$)", "+1425$1", "tel:+14252345678"},
    {12, "94252345678", R"(^9(\d{10})$)", "+1$1", "tel:+14252345678"},
    {13, "4692345678", R"(^(972|214|469)(\d{7})$)", "+1$1", "tel:+1469"},
    {14, "4692345678", R"(^(972\d{7}|214\d{7}|469\d{7})$)", "+1$1", "tel:+14692345678"},
    {15, "0", R"(^0$)", "+14255550000$1", "tel:+14255550000$1"},
    {16, "911", R"(^([2-9])11$)", "$1", "tel:9"},
    {17, "4255551212x12345", R"((\d{10})[x|X](\d{5}))", "+1$1;ext=$2",
     "tel:+14255551212;ext=12345"},
    {18, "4255551212|12345", R"((\d{10})[x|X](\d{5}))", "+1$1;ext=$2",
     "tel:+14255551212;ext=12345"},
    {19, "6045551111x234", R"(([2-9]\d{9})\D+(\d+))", "+1$1;ext=$2", "tel:+16045551111;ext=234"},
    {20, "16045551111", R"(([2-9]\d{9}))", "+1$1", "tel:+16045551111"},
    {21, "4255551212", R"(\s*\(\s*\d\d\d\s*\)\s*\-\s*\d\d\d\s*\-\s*\d\d\d\d)", "+1$1", nullptr},
    {22, "(425) 555-1212 x12345",
     R"(^\(?(\d\{3})?[\s\-\./](\d{3})[\s()\-\./](\d{4})[\s]*[x|X](\d{5})$)", "+1$1$2$3;ext=$4",
     nullptr},
    {23, "1 (425) 555-1212", "E164", "-", "tel:+14255551212"},
    {24, "+1 (425) 555-1212", "E164", "-", nullptr},
    {25, "1234567890123456", "E164", "-", nullptr},
    {26, "1234", R"(^(\d{4})$)", "+1425555$10", "tel:+1425555$10"},
    {27, "1234", R"(^(\d{4})$)", "$$1", "tel:$1"},
    {28, "abc5xyzQ", R"(((?<One>abc)\d+)?(?<Two>xyz)(.*))", "[$1][$2][$3][$4]",
     "tel:[abc5][Q][abc][xyz]"},
};

}  // namespace

TEST_CASE("every triple from the protocol notes normalizes as .NET would", "[rules][triples]") {
  for (const auto& t : kTriples) {
    INFO("triple " << t.number << ": " << t.input << " with " << t.pattern);
    const auto got = apply(t.pattern, t.translation, t.input);
    if (t.expected) {
      CHECK(got == std::optional<std::string>(t.expected));
    } else {
      CHECK(got == std::nullopt);
    }
  }
}

TEST_CASE("triple 20 under replace semantics keeps the text before the match", "[rules][triples]") {
  rcc::rules::NormalizeOptions replace;
  replace.semantics = rcc::rules::Semantics::replace;
  CHECK(apply(R"(([2-9]\d{9}))", "+1$1", "16045551111", replace) == "tel:1+16045551111");
}

TEST_CASE("triple 21 also fails after Lync pre-processing", "[rules][triples]") {
  rcc::rules::NormalizeOptions lync;
  lync.preprocess = rcc::rules::Preprocess::lync;
  CHECK(apply(R"(\s*\(\s*\d\d\d\s*\)\s*\-\s*\d\d\d\s*\-\s*\d\d\d\d)", "+1", "(425) 555-1212",
              lync) == std::nullopt);
  CHECK(apply(R"(\s*\(\s*\d\d\d\s*\)\s*\-\s*\d\d\d\s*\-\s*\d\d\d\d)", "+1", "(425)-555-1212") ==
        "tel:+1");
}
