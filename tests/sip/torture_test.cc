// RFC 4475 torture messages (tests/data/sip/rfc4475/, written from the RFC's text): the valid
// ones parse to what the RFC says, the invalid ones are refused with the response it names.
// Every message is also ground: fed split at every byte offset, with the same outcome.
#include <catch2/catch.hpp>

#include <string>

#include "sip/error.h"
#include "sip/parser.h"
#include "sip/response.h"
#include "sip_test_util.h"

namespace sip = rcc::sip;
using sip::Errc;
using sip::test::read_data;

namespace {
sip::Message parse_ok(const std::string& name) {
  const auto bytes = read_data("rfc4475/" + name + ".sip");
  REQUIRE_FALSE(bytes.empty());
  auto m = sip::parse(bytes);
  if (!m) FAIL(name << ": " << m.error().detail());
  CHECK(sip::test::grind(bytes, sip::Framing::datagram) == std::string::npos);
  // parse(serialize(m)) == m
  auto again = sip::parse(sip::serialize(*m));
  REQUIRE(again);
  CHECK(*again == *m);
  return *m;
}
}  // namespace

TEST_CASE("rfc4475 wsinv: the short tortuous INVITE parses to its fields", "[sip][torture]") {
  const auto m = parse_ok("wsinv");
  CHECK(m.method == "INVITE");
  CHECK(m.request_uri == "sip:vivekg@chair-dnrc.example.com;unknownparam");
  const auto to = m.to();
  REQUIRE(to);
  CHECK(to->uri == "sip:vivekg@chair-dnrc.example.com");
  CHECK(to->tag() == "1918181833n");
  const auto from = m.from();
  REQUIRE(from);
  CHECK(from->display_name == "J Rosenberg \\\"");
  CHECK(from->uri == "sip:jdrosen@example.com");
  CHECK(from->tag() == "98asjd8");
  CHECK(m.max_forwards() == 68);
  CHECK(m.call_id() == "wsinv.ndaksdj@192.0.2.1");
  CHECK(m.cseq()->number == 9);
  CHECK(m.cseq()->method == "INVITE");
  const auto vias = m.vias();
  REQUIRE(vias);
  REQUIRE(vias->size() == 3);
  CHECK((*vias)[0].transport == "UDP");
  CHECK((*vias)[0].host == "192.0.2.2");
  CHECK((*vias)[0].branch() == "390skdjuw");
  CHECK((*vias)[1].transport == "TCP");
  CHECK((*vias)[1].host == "spindle.example.com");
  CHECK((*vias)[1].branch() == "z9hG4bK9ikj8");
  CHECK((*vias)[2].host == "192.168.255.111");
  CHECK((*vias)[2].branch() == "z9hG4bK30239");
  CHECK(*m.header("Subject") == "");
  CHECK(*m.header("NewFangledHeader") == "newfangled value continued newfangled value");
  CHECK(*m.header("UnknownHeaderWithUnusualValue") == ";;,,;;,;");
  const auto routes = m.routes();
  REQUIRE(routes);
  REQUIRE(routes->size() == 1);
  CHECK((*routes)[0].uri == "sip:services.example.com;lr;unknownwith=value;unknown-no-value");
  const auto contacts = m.contacts();
  REQUIRE(contacts);
  REQUIRE(contacts->size() == 1);
  CHECK((*contacts)[0].display_name == "Quoted string \"\"");
  CHECK(sip::find_param((*contacts)[0].params, "newparam")->value == "newvalue");
  CHECK(sip::find_param((*contacts)[0].params, "q")->value == "0.33");
  CHECK(m.content_type()->is("application", "sdp"));
  CHECK(m.body.size() == 150);
}

TEST_CASE("rfc4475 intmeth: a wide range of valid characters is accepted", "[sip][torture]") {
  const auto m = parse_ok("intmeth");
  CHECK(m.method == "!interesting-Method0123456789_*+`.%indeed'~");
  CHECK(m.cseq()->method == m.method);
  CHECK(m.cseq()->number == 139122385);
  const auto to = m.to();
  REQUIRE(to);
  CHECK(to->display_name == std::string("BEL:\x07 NUL:\0 DEL:\x7f", 17));
  const auto from = m.from();
  REQUIRE(from);
  CHECK(from->display_name == "token1~` token2'+_ token3*%!.-");
  CHECK(from->tag() == "_token~1'+`*%!-.");
  CHECK(m.call_id() == "intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{");
  CHECK(m.max_forwards() == 255);
  CHECK(m.count("extensionHeader-!.%*+_`'~") == 1);
  CHECK(m.body.empty());
}

TEST_CASE("rfc4475 escaping cases keep their escapes and headers apart", "[sip][torture]") {
  const auto esc01 = parse_ok("esc01");
  CHECK(esc01.request_uri == "sip:sips%3Auser%40example.com@example.net");
  CHECK(esc01.to()->uri == "sip:%75se%72@example.com");
  CHECK(esc01.contacts()->at(0).uri ==
        "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
  CHECK(esc01.content_type()->is("application", "sdp"));
  const auto escnull = parse_ok("escnull");
  CHECK(escnull.contacts()->size() == 2);
  const auto esc02 = parse_ok("esc02");
  CHECK(esc02.method == "RE%47IST%45R");
  CHECK(esc02.to()->display_name == "%Z%45");
  CHECK(esc02.contacts()->size() == 2);  // "C%6Fntact" is another header
  CHECK(esc02.count("C%6Fntact") == 1);
}

TEST_CASE("rfc4475 valid messages of sections 3.1.1, 3.2 and 3.3 parse", "[sip][torture]") {
  CHECK(parse_ok("lwsdisp").from()->display_name == "caller");
  const auto longreq = parse_ok("longreq");
  CHECK(longreq.vias()->size() == 29);
  CHECK(longreq.to()->display_name.size() > 70);
  const auto dbl = parse_ok("dblreq");  // one datagram, two messages: the second is ignored
  CHECK(dbl.method == "REGISTER");
  CHECK(dbl.body.empty());
  CHECK(parse_ok("semiuri").values("Accept").size() == 6);
  const auto transports = parse_ok("transports");
  REQUIRE(transports.vias()->size() == 5);
  CHECK(transports.vias()->at(1).transport == "SCTP");
  CHECK(transports.vias()->at(3).transport == "UNKNOWN");
  const auto mpart = parse_ok("mpart01");
  CHECK(mpart.content_type()->is("multipart", "mixed"));
  CHECK(mpart.body.size() == *mpart.content_length());
  const auto unreason = parse_ok("unreason");
  CHECK(unreason.status == 200);
  CHECK(unreason.reason.rfind("= 2**3 * 5**2 ", 0) == 0);
  const auto noreason = parse_ok("noreason");
  CHECK(noreason.status == 100);
  CHECK(noreason.reason.empty());
  CHECK(parse_ok("badbranch").vias()->at(0).branch() == "z9hG4bK");
  CHECK(parse_ok("unksm2").to()->uri == "isbn:2983792873");
  CHECK(parse_ok("invut").content_type()->is("application", "unknownformat"));
  CHECK(parse_ok("regaut01").header("Authorization") != nullptr);
  CHECK(parse_ok("bcast").vias()->at(1).host == "255.255.255.255");
  CHECK(parse_ok("zeromf").max_forwards() == 0);
  CHECK(parse_ok("cparam01").contacts()->at(0).params.at(0).name == "unknownparam");
  CHECK(parse_ok("cparam02").contacts()->at(0).uri ==
        "sip:+19725552222@gw1.example.net;unknownparam");
  CHECK(parse_ok("regescrt").contacts()->at(0).uri ==
        "sip:user@example.com?Route=%3Csip:sip.example.com%3E");
  CHECK(parse_ok("sdp01").values("Accept").at(0) == "text/nobodyKnowsThis");
  const auto inv2543 = parse_ok("inv2543");  // RFC 2543 syntax: no branch, no tags, no length
  CHECK(inv2543.vias()->at(0).branch().empty());
  CHECK(inv2543.body.size() == 150);
}

TEST_CASE("rfc4475 application-layer cases are refused by the request checks", "[sip][torture]") {
  // §3.3.2 unkscm and §3.3.3 novelsc: 416 Unsupported URI Scheme from a UAS serving sip/sips/tel.
  for (const char* name : {"unkscm", "novelsc"}) {
    INFO(name);
    const auto m = parse_ok(name);
    auto ok = sip::check_request_uri(m);
    REQUIRE_FALSE(ok);
    CHECK(ok.error().code() == Errc::unsupported_uri_scheme);
    CHECK(sip::response_status(ok.error().code()) == 416);
  }
  // §3.3.5 bext01: 420 Bad Extension listing both unknown tags.
  const auto bext = parse_ok("bext01");
  CHECK(sip::unsupported_requirements(bext, "timer") ==
        std::vector<std::string>{"nothingSupportsThis", "nothingSupportsThisEither"});
}

TEST_CASE("rfc4475 invalid messages are refused with the response the RFC names",
          "[sip][torture]") {
  struct Bad {
    const char* name;
    Errc code;
    int status;  // the response error_response() builds, 0 for none
  };
  const Bad table[] = {
      {"badinv01", Errc::bad_header_value, 400},  // §3.1.2.1 extraneous separators
      {"clerr", Errc::truncated_body, 400},       // §3.1.2.2 Content-Length past the datagram
      {"ncl", Errc::bad_content_length, 400},     // §3.1.2.3 negative Content-Length
      {"scalar02", Errc::bad_header_value, 400},  // §3.1.2.4 overlarge CSeq, Max-Forwards
      {"scalarlg", Errc::bad_header_value, 0},    // §3.1.2.5 a response: dropped, not answered
      {"quotbal", Errc::bad_header_value, 400},   // §3.1.2.6 unterminated quote
      {"ltgtruri", Errc::bad_request_uri, 400},   // §3.1.2.7 <> around the Request-URI
      {"lwsruri", Errc::bad_start_line, 400},     // §3.1.2.8 LWS inside the Request-URI
      {"lwsstart", Errc::bad_start_line, 400},    // §3.1.2.9 several SP between elements
      {"trws", Errc::bad_start_line, 400},        // §3.1.2.10 SP after the version
      {"escruri", Errc::bad_request_uri, 400},    // §3.1.2.11 headers in the Request-URI
      {"baddate", Errc::bad_header_value, 400},   // §3.1.2.12 Date not in GMT
      {"regbadct", Errc::bad_header_value, 400},  // §3.1.2.13 URI with '?' outside <>
      {"badaspec", Errc::bad_header_value, 400},  // §3.1.2.14 spaces inside <>
      {"baddn", Errc::bad_header_value, 400},     // §3.1.2.15 non-token display name
      {"badvers", Errc::bad_version, 505},        // §3.1.2.16 SIP/7.0
      {"mismatch01", Errc::cseq_mismatch, 400},   // §3.1.2.17
      {"mismatch02", Errc::cseq_mismatch, 400},   // §3.1.2.18
      {"bigcode", Errc::bad_status_code, 0},      // §3.1.2.19 a response: dropped
      // §3.3.1 insuf: the RFC asks for 400, but an answer without From, To and Call-ID would
      // itself be malformed; the request is refused (missing_header) and dropped.
      {"insuf", Errc::missing_header, 0},
      {"multi01", Errc::duplicate_header, 400},       // §3.3.8 several single-valued headers
      {"mcl01", Errc::multiple_content_length, 400},  // §3.3.9
  };
  for (const auto& b : table) {
    INFO(b.name);
    const auto bytes = read_data(std::string("rfc4475/") + b.name + ".sip");
    REQUIRE_FALSE(bytes.empty());
    auto m = sip::parse(bytes);
    REQUIRE_FALSE(m);
    CHECK(m.error().code() == b.code);
    const auto answer = sip::error_response(bytes, m.error().code());
    CHECK((answer ? answer->status : 0) == b.status);
    if (answer) {
      // RFC 3261 §8.2.6.2: the answer copies what routes and matches it.
      for (const char* h : {"Via", "From", "To", "Call-ID", "CSeq"})
        CHECK(answer->header(h));
      CHECK(sip::serialize(*answer).rfind("SIP/2.0 " + std::to_string(b.status) + " ", 0) == 0);
    }
    CHECK(sip::test::grind(bytes, sip::Framing::datagram) == std::string::npos);
  }
}
