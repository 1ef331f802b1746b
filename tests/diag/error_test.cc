#include "diag/error.h"

#include <catch2/catch.hpp>

using rcc::Errc;
using rcc::Error;
using rcc::SourceLocation;

TEST_CASE("error message names file, line and column", "[diag]") {
  Error e(Errc::config_syntax, "expected '='", SourceLocation{"rcc.toml", 3, 7, "a b = 1"});
  CHECK(e.message() == "rcc.toml:3:7: expected '='");
  CHECK(e.render() == "rcc.toml:3:7: expected '='\n    a b = 1\n          ^\n");
}

TEST_CASE("caret counts characters, not bytes, and keeps tabs", "[diag]") {
  SourceLocation where{"f", 1, 4, "\t\xC3\xA9x("};
  CHECK(rcc::caret_lines(where) == "    \t\xC3\xA9x(\n    \t  ^\n");
}

TEST_CASE("error without a location is its detail alone", "[diag]") {
  Error e(Errc::invalid_argument, "no numbers");
  CHECK(e.message() == "no numbers");
  CHECK(e.render() == "no numbers\n");
  CHECK(e.code() == Errc::invalid_argument);
  CHECK(e.code().category().name() == std::string("rcc"));
}

TEST_CASE("result holds a value or an error", "[diag]") {
  rcc::Result<int> good(4);
  REQUIRE(good);
  CHECK(*good == 4);
  rcc::Result<int> bad(Error(Errc::file_not_found, "x: missing"));
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == Errc::file_not_found);
  rcc::Result<void> ok;
  CHECK(ok.has_value());
}
