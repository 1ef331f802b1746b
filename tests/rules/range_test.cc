#include "rules/range.h"

#include <catch2/catch.hpp>

using rcc::rules::Range;

namespace {
bool alerts(const char* range, double v) {
  auto r = Range::parse(range);
  REQUIRE(r);
  return r->alerts(v);
}
}  // namespace

TEST_CASE("range follows the monitoring-plugins table", "[rules][range]") {
  CHECK_FALSE(alerts("10", 0));
  CHECK_FALSE(alerts("10", 10));
  CHECK(alerts("10", 10.5));
  CHECK(alerts("10", -1));
  CHECK(alerts("10:", 9.9));
  CHECK_FALSE(alerts("10:", 1e9));
  CHECK(alerts("~:10", 11));
  CHECK_FALSE(alerts("~:10", -1e9));
  CHECK(alerts("10:20", 9));
  CHECK_FALSE(alerts("10:20", 15));
  CHECK(alerts("10:20", 21));
  CHECK(alerts("@10:20", 10));
  CHECK(alerts("@10:20", 20));
  CHECK_FALSE(alerts("@10:20", 21));
  CHECK(alerts("0.5", 0.6));
  CHECK(Range::parse("@~:3")->text() == "@~:3");
}

TEST_CASE("range refuses what is not a range", "[rules][range]") {
  for (const char* bad : {"", "@", "abc", "10:5", "1:x", "~", "1e999", "10ms"}) {
    INFO(bad);
    auto r = Range::parse(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == rcc::Errc::invalid_argument);
  }
}
