#include "csta/line_uri.h"

#include <catch2/catch.hpp>

using namespace rcc::csta;

namespace {

struct Good {
  std::string text;
  std::string number;
  std::string phone_context;  // "" = absent
  std::string device;
  std::string partition;
  std::string canonical;  // to_string(); "" = same as text
};

std::string opt(std::optional<std::string_view> v) {
  return v ? std::string(*v) : std::string();
}

}  // namespace

TEST_CASE("line URI parser accepts the documented forms", "[csta][line_uri]") {
  const Good cases[] = {
      {"tel:73124;phone-context=dialstring", "73124", "dialstring", "", "", ""},
      {"tel:73124;phone-context=dialstring;partition=BE_BRS_INT", "73124", "dialstring", "",
       "BE_BRS_INT", ""},
      {"tel:1234;phone-context=dialstring;device=SEP0002FD3BB5C5;partition=myPartition", "1234",
       "dialstring", "SEP0002FD3BB5C5", "myPartition", ""},
      {"tel:+1421112222;ext=12222", "+1421112222", "", "", "", ""},
      {"tel:+3222220220", "+3222220220", "", "", "", ""},
      {"tel:+1-425-555-0111", "+1-425-555-0111", "", "", "", ""},
      {"tel:*86#;phone-context=+1-425", "*86#", "+1-425", "", "", ""},
      {"tel:7042;phone-context=example.com", "7042", "example.com", "", "", ""},
      // case-insensitive names, stored and written in lower case; values kept as written
      {"TEL:73124;Phone-Context=DialString;DEVICE=SEP1", "73124", "DialString", "SEP1", "",
       "tel:73124;phone-context=DialString;device=SEP1"},
      // percent-decoding, and re-encoding only what must be
      {"tel:73124;phone-context=dialstring;device=Lab%20Phone;partition=%50%31", "73124",
       "dialstring", "Lab Phone", "P1",
       "tel:73124;phone-context=dialstring;device=Lab%20Phone;partition=P1"},
      {"tel:73124;phone-context=dialstring;partition=Caf%C3%A9", "73124", "dialstring", "",
       "Caf\xC3\xA9", "tel:73124;phone-context=dialstring;partition=Caf%C3%A9"},
      // unknown parameters are kept, also without a value
      {"tel:73124;phone-context=dialstring;x-foo=bar;flag", "73124", "dialstring", "", "", ""},
      // sip device identifiers
      {"sip:alice@example.com", "alice", "", "", "", ""},
      {"sip:73124;phone-context=dialstring@pbx.example.com;user=phone", "73124", "dialstring", "",
       "", ""},
      {"sips:+14255550111@gw.example.com:5061;user=phone;device=SEP1;partition=P1", "+14255550111",
       "", "SEP1", "P1", ""},
      {"sip:bob@[2001:db8::1]:5060;transport=tcp", "bob", "", "", "", ""},
      {"SIP:%61lice@example.com;Device=X", "alice", "", "X", "", "sip:alice@example.com;device=X"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto u = parse_line_uri(c.text);
    if (!u) FAIL(u.error().message());
    CHECK(u->number == c.number);
    CHECK(opt(u->phone_context()) == c.phone_context);
    CHECK(opt(u->device()) == c.device);
    CHECK(opt(u->partition()) == c.partition);
    const std::string out = to_string(*u);
    CHECK(out == (c.canonical.empty() ? c.text : c.canonical));
    const auto again = parse_line_uri(out);
    REQUIRE(again);
    CHECK(to_string(*again) == out);
  }
}

TEST_CASE("line URI parser gives details of the parts it read", "[csta][line_uri]") {
  const auto g = parse_line_uri("tel:+1-425-555-0111;ext=12");
  REQUIRE(g);
  CHECK(g->is_global());
  CHECK(g->digits() == "+14255550111");
  CHECK(opt(g->extension()) == "12");
  const auto s = parse_line_uri("sips:+14255550111@gw.example.com:5061;user=phone");
  REQUIRE(s);
  CHECK(s->scheme == LineUri::Scheme::sips);
  CHECK(s->host == "gw.example.com");
  CHECK(s->port == 5061u);
  CHECK(opt(s->param("user")) == "phone");
}

TEST_CASE("line URI parser refuses bad input with exact errors", "[csta][line_uri][errors]") {
  const std::pair<std::string, Errc> cases[] = {
      {"", Errc::bad_scheme},
      {"73124", Errc::bad_scheme},
      {"http://example.com", Errc::bad_scheme},
      {"mailto:a@b", Errc::bad_scheme},
      {"tel:", Errc::bad_number},
      {"tel:;phone-context=dialstring", Errc::bad_number},
      {"tel:12 34;phone-context=dialstring", Errc::bad_number},
      {"tel:12@4;phone-context=dialstring", Errc::bad_number},
      {"tel:+", Errc::bad_number},
      {"tel:+-.", Errc::bad_number},
      {"tel:+1x2", Errc::bad_number},
      {"tel:--;phone-context=dialstring", Errc::bad_number},
      {"tel:73124", Errc::missing_phone_context},
      {"tel:73124;device=SEP1", Errc::missing_phone_context},
      {"tel:+14255550111;phone-context=dialstring", Errc::phone_context_on_global},
      {"tel:73124;phone-context=dialstring;device=A;DEVICE=B", Errc::duplicate_parameter},
      {"tel:73124;phone-context=dialstring;Phone-Context=x", Errc::duplicate_parameter},
      {"tel:73124;phone-context=dialstring;x;x", Errc::duplicate_parameter},
      {"tel:73124;phone-context=dialstring;device=%4", Errc::bad_percent_encoding},
      {"tel:73124;phone-context=dialstring;device=%", Errc::bad_percent_encoding},
      {"tel:73124;phone-context=dialstring;device=%zz", Errc::bad_percent_encoding},
      {"tel:73124;phone-context=dialstring;device=a%00b", Errc::bad_percent_encoding},
      {"tel:73124;phone-context=dialstring;device=a%0Ab", Errc::bad_percent_encoding},
      {"tel:73124;phone-context=dialstring;device=%FF", Errc::bad_percent_encoding},
      {"tel:73124;phone-context=dialstring;;device=x", Errc::bad_parameter},
      {"tel:73124;phone-context=dialstring;", Errc::bad_parameter},
      {"tel:73124;phone-context=dialstring;device=", Errc::bad_parameter},
      {"tel:73124;phone-context=dialstring;device", Errc::bad_parameter},
      {"tel:73124;phone-context=dialstring;=x", Errc::bad_parameter},
      {"tel:73124;phone-context=dialstring;dev ice=x", Errc::bad_parameter},
      {"tel:73124;phone-context=dialstring;device=a b", Errc::bad_parameter},
      {"tel:73124;phone-context=dialstring;device=a\"b", Errc::bad_parameter},
      {"tel:73124;phone-context=-bad-", Errc::bad_parameter},
      {"tel:73124;phone-context=a..b", Errc::bad_parameter},
      {"tel:73124;phone-context=1abc.2", Errc::bad_parameter},
      {"tel:73124;phone-context=", Errc::bad_parameter},
      {"tel:+1425;ext=12a", Errc::bad_parameter},
      {"sip:example.com", Errc::bad_number},
      {"sip:@example.com", Errc::bad_number},
      {"sip:alice:secret@example.com", Errc::bad_number},
      {"sip:al ice@example.com", Errc::bad_number},
      {"sip:alice@", Errc::bad_parameter},
      {"sip:alice@ex ample.com", Errc::bad_parameter},
      {"sip:alice@host:99999", Errc::bad_parameter},
      {"sip:alice@host:0", Errc::bad_parameter},
      {"sip:alice@host:", Errc::bad_parameter},
      {"sip:alice@host?subject=x", Errc::bad_parameter},
      {"sip:alice@[2001:db8::1", Errc::bad_parameter},
      {"sip:alice@host;device=a;device=b", Errc::duplicate_parameter},
      {"sip:123@host;user=phone", Errc::missing_phone_context},
      {"sip:+123;phone-context=x.com@host", Errc::phone_context_on_global},
  };
  for (const auto& [text, errc] : cases) {
    INFO(text);
    const auto u = parse_line_uri(text);
    REQUIRE_FALSE(u);
    CHECK(u.error().code() == errc);
  }
  const auto e = parse_line_uri("tel:73124;phone-context=dialstring;device=A;DEVICE=B");
  REQUIRE_FALSE(e);
  CHECK(e.error().detail() == "duplicate device");
}

TEST_CASE("line URI parser handles every truncation of every good input",
          "[csta][line_uri][truncation]") {
  // A line URI arrives whole (XML text, an AD attribute, a config value); prefixes must either
  // parse and round-trip or be refused with a csta error, never crash.
  const std::string inputs[] = {
      "tel:1234;phone-context=dialstring;device=SEP0002FD3BB5C5;partition=my%20Partition",
      "tel:+1-425-555-0111;ext=12222",
      "sips:+14255550111@gw.example.com:5061;user=phone;device=SEP1;partition=P1",
      "sip:bob@[2001:db8::1]:5060;transport=tcp",
  };
  for (const auto& text : inputs) {
    for (std::size_t n = 0; n <= text.size(); ++n) {
      const std::string prefix = text.substr(0, n);
      INFO(prefix);
      const auto u = parse_line_uri(prefix);
      if (u) {
        const auto again = parse_line_uri(to_string(*u));
        REQUIRE(again);
        CHECK(to_string(*again) == to_string(*u));
      } else {
        CHECK(u.error().code().category() == csta_category());
      }
    }
    CHECK(parse_line_uri(text).has_value());
  }
}

TEST_CASE("line URIs compare by number, context, device and partition", "[csta][line_uri]") {
  const auto a = parse_line_uri("tel:73124;phone-context=dialstring;partition=P1");
  const auto b = parse_line_uri("TEL:7-3124;PHONE-CONTEXT=DIALSTRING;x=1;partition=p1");
  const auto c = parse_line_uri("tel:73124;phone-context=dialstring");
  const auto d = parse_line_uri("tel:73124;phone-context=dialstring;device=SEP1;partition=P1");
  REQUIRE((a && b && c && d));
  CHECK(same_line(*a, *b));
  CHECK_FALSE(same_line(*a, *c));
  CHECK_FALSE(same_line(*a, *d));
  CHECK(same_line(*c, *c));
}
