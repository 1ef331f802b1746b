#include "rules/substitution.h"

#include <catch2/catch.hpp>

#include "rules_helpers.h"

using rcc::rules::test::apply;

TEST_CASE("substitution tokens follow .NET rules", "[rules][substitution]") {
  const std::string p = R"(^(\d{3})(\d{4})$)";
  CHECK(apply(p, "$1-$2", "5551212") == "tel:555-1212");
  CHECK(apply(p, "${1}0", "5551212") == "tel:5550");
  CHECK(apply(p, "$10", "5551212") == "tel:$10");  // no group 10: literal
  CHECK(apply(p, "$$1", "5551212") == "tel:$1");
  CHECK(apply(p, "$&", "5551212") == "tel:5551212");
  CHECK(apply(p, "$+", "5551212") == "tel:1212");
  CHECK(apply(p, "$_", "5551212") == "tel:5551212");
  CHECK(apply(p, "a\\1$", "5551212") == "tel:a\\1$");  // backslash and a final $ are literal
  CHECK(apply(p, "$x${nope}", "5551212") == "tel:$x${nope}");
  CHECK(apply(R"(\d{3})", "[$`|$']", "x555y") == "tel:[x|y]");
}

TEST_CASE("a group that did not take part expands to nothing", "[rules][substitution]") {
  CHECK(apply(R"(^(\+)?(\d+)$)", "[$1]$2", "123") == "tel:[]123");
}

TEST_CASE("substitution reports tokens naming missing groups", "[rules][substitution]") {
  const auto file = rcc::rules::parse_rule_file("^(\\d)$\n$1$2${x}$$3\n", "t.txt");
  REQUIRE(file.rules.size() == 1);
  const auto& unknown = file.rules[0].substitution.unknown_groups();
  REQUIRE(unknown.size() == 2);
  CHECK(unknown[0].token == "$2");
  CHECK(unknown[0].offset == 2);
  CHECK(unknown[1].token == "${x}");
}

TEST_CASE("translations that carry tel: are not prefixed twice", "[rules][substitution]") {
  CHECK(apply(R"(^(\d{4})$)", "tel:+16139675000;ext=$1", "1234") == "tel:+16139675000;ext=1234");
  CHECK(apply(R"(^(\d{4})$)", "TEL:+1$1", "1234") == "TEL:+11234");
}
