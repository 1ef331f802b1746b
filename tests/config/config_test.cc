#include "config/config.h"

#include <catch2/catch.hpp>

using rcc::config::parse;
using rcc::config::Section;

TEST_CASE("config syntax errors carry file, line and column", "[config]") {
  auto doc = parse("[normalize]\nrules = \"a\"\nbroken = \n", "rcc.toml");
  REQUIRE_FALSE(doc);
  const auto& e = doc.error();
  CHECK(e.code() == rcc::Errc::config_syntax);
  REQUIRE(e.where());
  CHECK(e.where()->file == "rcc.toml");
  CHECK(e.where()->line == 3);
  CHECK(e.where()->column > 0);
  CHECK(e.message().rfind("rcc.toml:3:", 0) == 0);
}

TEST_CASE("config section reads typed values", "[config]") {
  auto doc = parse(
      "[normalize]\nrules = \"r.txt\"\npreprocess = \"lync\"\nn = 5\nb = true\n"
      "list = [\"a\", \"b\"]\n",
      "rcc.toml");
  REQUIRE(doc);
  Section s(*doc, "normalize");
  CHECK(s.string("rules") == "r.txt");
  CHECK(s.choice("preprocess", {"none", "lync"}) == "lync");
  CHECK(s.integer("n", 1, 10) == 5);
  CHECK(s.boolean("b") == true);
  CHECK(s.strings("list") == std::vector<std::string>{"a", "b"});
  CHECK_FALSE(s.string("absent"));
  CHECK_NOTHROW(s.reject_unknown_keys());
}

TEST_CASE("config wrong type names the key and its position", "[config]") {
  auto doc = parse("[normalize]\nrules = 5\n", "rcc.toml");
  REQUIRE(doc);
  Section s(*doc, "normalize");
  try {
    s.string("rules");
    FAIL("no exception");
  } catch (const rcc::Exception& e) {
    CHECK(e.error().message() ==
          "rcc.toml:2:9: [normalize] rules: expected a string, got an integer");
  }
}

TEST_CASE("config value out of range or not a choice is refused", "[config]") {
  auto doc = parse("[cti]\nport = 70000\nmode = \"fast\"\n", "rcc.toml");
  REQUIRE(doc);
  Section s(*doc, "cti");
  CHECK_THROWS_WITH(s.integer("port", 1, 65535),
                    "rcc.toml:2:8: [cti] port: must be between 1 and 65535, got 70000");
  CHECK_THROWS_WITH(s.choice("mode", {"slow", "safe"}),
                    "rcc.toml:3:8: [cti] mode: 'fast' is not one of: slow, safe");
}

TEST_CASE("config unknown key is reported with its position", "[config]") {
  auto doc = parse("[normalize]\nrules = \"x\"\nrulse = \"y\"\n", "rcc.toml");
  REQUIRE(doc);
  Section s(*doc, "normalize");
  s.string("rules");
  CHECK_THROWS_WITH(s.reject_unknown_keys(), "rcc.toml:3:1: [normalize] unknown key 'rulse'");
}

TEST_CASE("config missing section reads as empty", "[config]") {
  auto doc = parse("", "rcc.toml");
  REQUIRE(doc);
  Section s(*doc, "normalize");
  CHECK_FALSE(s.string("rules"));
  CHECK_NOTHROW(s.reject_unknown_keys());
}

TEST_CASE("config file that does not exist is file_not_found", "[config]") {
  auto doc = rcc::config::load_file("/nonexistent/rcc.toml");
  REQUIRE_FALSE(doc);
  CHECK(doc.error().code() == rcc::Errc::file_not_found);
}
