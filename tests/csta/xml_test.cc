#include "csta/xml.h"

#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>

#include "csta/codec.h"

using namespace rcc::csta;

namespace {

std::error_code parse_code(const std::string& xml, const Limits& limits = {}) {
  auto doc = parse_xml(xml, limits);
  return doc ? std::error_code() : doc.error().code();
}

const std::string kEd3 = R"(xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3")";

std::string nested(int depth) {
  std::string s;
  for (int i = 0; i < depth; ++i)
    s += "<a>";
  for (int i = 0; i < depth; ++i)
    s += "</a>";
  return s;
}

}  // namespace

TEST_CASE("xml reader refuses the billion laughs entity bomb", "[csta][xml][hostile]") {
  const std::string bomb =
      R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<MakeCall )" +
      kEd3 +
      R"(><callingDevice>&lol9;</callingDevice><calledDirectoryNumber>1</calledDirectoryNumber></MakeCall>)";
  const auto m = decode(bomb);
  REQUIRE_FALSE(m);
  CHECK(m.error().code() == Errc::doctype_refused);
  CHECK(m.error().detail() == "DOCTYPE declarations are not accepted");
}

TEST_CASE("xml reader refuses external entities and external DTDs (XXE)", "[csta][xml][hostile]") {
  const std::string cases[] = {
      // classic XXE: a file
      R"(<?xml version="1.0"?><!DOCTYPE m [<!ENTITY x SYSTEM "file:///etc/passwd">]><MonitorStop )" +
          kEd3 + R"(><monitorCrossRefID>&x;</monitorCrossRefID></MonitorStop>)",
      // network fetch of an entity and of an external subset
      R"(<!DOCTYPE m [<!ENTITY x SYSTEM "http://127.0.0.1:9/x">]><MonitorStop )" + kEd3 +
          R"(><monitorCrossRefID>&x;</monitorCrossRefID></MonitorStop>)",
      R"(<!DOCTYPE MonitorStop SYSTEM "http://127.0.0.1:9/csta.dtd"><MonitorStop )" + kEd3 +
          R"(><monitorCrossRefID>1</monitorCrossRefID></MonitorStop>)",
      // parameter entities
      R"(<!DOCTYPE m [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]><MonitorStop )" + kEd3 +
          R"(/>)",
      // even a harmless DOCTYPE
      R"(<!DOCTYPE MonitorStop><MonitorStop )" + kEd3 +
          R"(><monitorCrossRefID>1</monitorCrossRefID></MonitorStop>)",
  };
  for (const auto& xml : cases) {
    INFO(xml);
    CHECK(parse_code(xml) == Errc::doctype_refused);
    CHECK(decode(xml).error().code() == Errc::doctype_refused);
  }
}

TEST_CASE("xml reader refuses undefined entity references as malformed", "[csta][xml][hostile]") {
  CHECK(parse_code("<a>&x;</a>") == Errc::malformed_xml);
  // The five predefined entities and character references are fine.
  auto doc = parse_xml("<a>&lt;&amp;&gt;&quot;&apos;&#65;&#x42;</a>");
  REQUIRE(doc);
  CHECK(text_of(xmlDocGetRootElement(doc->get())) == "<&>\"'AB");
}

TEST_CASE("xml reader bounds element depth", "[csta][xml][limits]") {
  CHECK(parse_code(nested(32)) == std::error_code());
  CHECK(parse_code(nested(33)) == Errc::too_deep);
  // Far past libxml2's own limit, still our error, not libxml2's.
  CHECK(parse_code(nested(100000), Limits{4u << 20, 32}) == Errc::too_deep);
  Limits tight;
  tight.max_depth = 2;
  CHECK(parse_code(nested(2), tight) == std::error_code());
  CHECK(parse_code(nested(3), tight) == Errc::too_deep);
  const auto m = decode(nested(40));
  REQUIRE_FALSE(m);
  CHECK(m.error().detail() == "more than 32 levels");
}

TEST_CASE("xml reader bounds document size before parsing", "[csta][xml][limits]") {
  const std::string head = "<MonitorStop " + kEd3 + "><monitorCrossRefID>1</monitorCrossRefID>";
  const std::string tail = "</MonitorStop>";
  std::string exact = head + std::string(65536 - head.size() - tail.size(), ' ') + tail;
  REQUIRE(exact.size() == 65536);
  CHECK(decode(exact).has_value());
  const std::string over = exact + " ";
  const auto m = decode(over);
  REQUIRE_FALSE(m);
  CHECK(m.error().code() == Errc::too_large);
  CHECK(m.error().detail() == "65537 bytes, limit 65536");
  CHECK(parse_code("<a/>", Limits{3, 32}) == Errc::too_large);
}

TEST_CASE("xml reader refuses malformed documents", "[csta][xml][errors]") {
  const std::string cases[] = {
      "",
      "   ",
      "not xml",
      "<MakeCall",
      "<a><b></a></b>",
      "<a></a><b></b>",
      "<a x='1' x='2'/>",
      std::string("<a>\xC3\x28</a>"),  // invalid UTF-8
      std::string("<a>\x01</a>"),      // not an XML character
      "<a xmlns:p='u'><q:b/></a>",     // undeclared prefix
  };
  for (const auto& xml : cases) {
    INFO(xml);
    CHECK(parse_code(xml) == Errc::malformed_xml);
  }
  const auto e = parse_xml("<a><b></a>");
  REQUIRE_FALSE(e);
  CHECK(e.error().detail().rfind("line 1: ", 0) == 0);
}

TEST_CASE("xml writer escapes, self-closes empty elements and closes what is open",
          "[csta][xml][writer]") {
  XmlWriter w(false);
  w.start("a");
  w.attribute("k", "\"<&>\t");
  w.start("b");
  w.end();
  w.element("c", "x<y&z>");
  w.start("d");
  const std::string out = w.finish();
  CHECK(out == R"(<a k="&quot;&lt;&amp;&gt;&#9;"><b/><c>x&lt;y&amp;z&gt;</c><d/></a>)");
  XmlWriter with_decl;
  CHECK(with_decl.finish() == R"(<?xml version="1.0" encoding="UTF-8"?>)");
}

TEST_CASE("xml reader reads every body as UTF-8 whatever its declaration says",
          "[csta][xml][encoding]") {
  auto latin1 = parse_xml("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xC3\xA9</a>");
  REQUIRE(latin1);
  CHECK(text_of(xmlDocGetRootElement(latin1->get())) == "\xC3\xA9");
  CHECK(parse_code("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9</a>") ==
        Errc::malformed_xml);
  CHECK(parse_code(std::string("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x81\0\0\0\0</a>",
                               55)) == Errc::malformed_xml);
}

TEST_CASE("xml reader writes nothing to stderr, even for encoding and I/O errors",
          "[csta][xml][hostile]") {
  // Found by csta_decode_fuzz: libxml2's generic error channel printed "encoding error : input
  // conversion failed" and "I/O error : encoder error" on stderr.
  std::FILE* capture = std::tmpfile();
  REQUIRE(capture != nullptr);
  std::fflush(stderr);
  const int saved = dup(STDERR_FILENO);
  dup2(fileno(capture), STDERR_FILENO);
  const std::string inputs[] = {
      std::string("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x81\0\0\0\0</a>", 55),
      std::string("<?xml version=\"1.0\" encoding=\"EUC-JP\"?><a>\x8e\0\0\0\0</a>", 52),
      std::string("\xFE\xFF\0<\0\0\0\0", 8),
      "<a><b></a>",
      "<a>&x;</a>",
      "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",
  };
  for (const auto& in : inputs)
    (void)decode(in);
  std::fflush(stderr);
  dup2(saved, STDERR_FILENO);
  close(saved);
  CHECK(std::ftell(capture) == 0);
  std::fclose(capture);
}
