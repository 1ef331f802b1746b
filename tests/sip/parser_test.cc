// Parser: tables of good and bad inputs with their exact Errc, every one also fed split at
// every byte offset (the grinder), limits, and framing rules.
#include <catch2/catch.hpp>

#include <string>

#include "sip/error.h"
#include "sip/parser.h"
#include "sip/response.h"
#include "sip_test_util.h"

namespace sip = rcc::sip;
using sip::Errc;
using sip::Framing;

namespace {

// Builds a message from lines joined with CRLF (the last line is the body).
std::string crlf(std::initializer_list<std::string_view> lines) {
  std::string out;
  std::size_t i = 0;
  for (const auto line : lines) {
    out += line;
    if (++i < lines.size()) out += "\r\n";
  }
  return out;
}

const std::string kOptions = crlf({
    "OPTIONS sip:gw@example.com SIP/2.0",
    "Via: SIP/2.0/TCP 192.0.2.1:5060;branch=z9hG4bK776asdhds",
    "Max-Forwards: 70",
    "To: <sip:gw@example.com>",
    "From: \"Alice\" <sip:alice@example.com>;tag=1928301774",
    "Call-ID: a84b4c76e66710@pc33.example.com",
    "CSeq: 63104 OPTIONS",
    "Content-Length: 0",
    "",
    "",
});

// A message whose header `name: value` replaces the one of the same name in kOptions (or is
// appended before Content-Length when kOptions has none).
std::string with_header(std::string_view line) {
  std::string m = kOptions;
  const auto colon = line.find(':');
  const std::string prefix = "\r\n" + std::string(line.substr(0, colon + 1));
  const auto at = m.find(prefix);
  if (at != std::string::npos) {
    const auto end = m.find("\r\n", at + 2);
    m.replace(at + 2, end - at - 2, std::string(line));
  } else {
    const auto cl = m.find("\r\nContent-Length:");
    m.insert(cl, "\r\n" + std::string(line));
  }
  return m;
}

std::string without_header(std::string_view name) {
  std::string m = kOptions;
  const auto at = m.find("\r\n" + std::string(name) + ":");
  const auto end = m.find("\r\n", at + 2);
  m.erase(at, end - at);
  return m;
}

}  // namespace

TEST_CASE("sip parser accepts the good inputs of its table", "[sip][parser]") {
  struct Good {
    const char* what;
    std::string bytes;
  };
  const std::vector<Good> table = {
      {"a plain OPTIONS", kOptions},
      {"compact header names",
       crlf({"INFO sip:gw@example.com SIP/2.0", "v: SIP/2.0/TLS 192.0.2.1;branch=z9hG4bK1",
             "f: <sip:a@b>;tag=1", "t: <sip:gw@example.com>;tag=2", "i: abc@host", "CSeq: 2 INFO",
             "c: application/csta+xml", "l: 4", "", "<a/>"})},
      {"a response with a reason of spaces",
       crlf({"SIP/2.0 200 OK then some", "Via: SIP/2.0/TCP h;branch=z9hG4bK1",
             "From: <sip:a@b>;tag=1", "To: <sip:c@d>;tag=2", "Call-ID: x", "CSeq: 1 INVITE",
             "Content-Length: 0", "", ""})},
      {"folded header lines", with_header("Subject: one\r\n two\r\n\tthree")},
      {"Session-Expires and Min-SE",
       with_header("Session-Expires: 1800;refresher=uac\r\nMin-SE: 90")},
      {"an IPv6 Via", with_header("Via: SIP/2.0/TLS [2001:db8::1]:5061;branch=z9hG4bKv6")},
      {"Contact star", with_header("Contact: *")},
      {"lower-case sip version",
       crlf({"OPTIONS sip:gw@example.com sip/2.0", "Via: SIP/2.0/TCP h;branch=z9hG4bK1",
             "From: <sip:a@b>;tag=1", "To: <sip:c@d>", "Call-ID: x", "CSeq: 1 OPTIONS", "l: 0", "",
             ""})},
  };
  for (const auto& g : table) {
    INFO(g.what);
    auto m = sip::parse(g.bytes);
    REQUIRE(m);
    CHECK(sip::test::grind(g.bytes, Framing::datagram) == std::string::npos);
    CHECK(sip::test::grind(g.bytes, Framing::stream) == std::string::npos);
  }
}

TEST_CASE("sip parser refuses the bad inputs of its table with the exact error", "[sip][parser]") {
  struct Bad {
    const char* what;
    std::string bytes;
    Errc code;
    int status;  // the response a request gets (0: none)
  };
  const std::vector<Bad> table = {
      {"bare LF line ends", "OPTIONS sip:a@b SIP/2.0\nVia: x\n\n", Errc::bad_line_end, 400},
      {"CR inside a header line", with_header("Subject: a\rb"), Errc::bad_line_end, 400},
      {"empty start line", "\r\n" + kOptions, Errc::bad_start_line, 400},
      {"method not a token", "OPT,IONS sip:a@b SIP/2.0\r\n\r\n", Errc::bad_start_line, 400},
      {"two spaces in the request line", "OPTIONS  sip:a@b SIP/2.0\r\n\r\n", Errc::bad_start_line,
       400},
      {"Request-URI in angle brackets", "OPTIONS <sip:a@b> SIP/2.0\r\n\r\n", Errc::bad_request_uri,
       400},
      {"Request-URI without a scheme", "OPTIONS gw.example.com SIP/2.0\r\n\r\n",
       Errc::bad_request_uri, 400},
      {"SIP version 3.0", "OPTIONS sip:a@b SIP/3.0\r\n\r\n", Errc::bad_version, 505},
      {"status code of four digits", "SIP/2.0 2000 OK\r\n\r\n", Errc::bad_status_code, 0},
      {"status code 099", "SIP/2.0 099 Hmm\r\n\r\n", Errc::bad_status_code, 0},
      {"header without a colon", with_header("Subject a"), Errc::bad_header_line, 400},
      {"header name with a space", with_header("Sub ject: a"), Errc::bad_header_line, 400},
      {"fold before any header", "OPTIONS sip:a@b SIP/2.0\r\n folded: x\r\n\r\n",
       Errc::bad_header_line, 400},
      {"no Via", without_header("Via"), Errc::missing_header, 400},
      {"no Call-ID", without_header("Call-ID"), Errc::missing_header, 400},
      {"no From", without_header("From"), Errc::missing_header, 400},
      {"two Call-IDs", with_header("Subject: x\r\nCall-ID: other"), Errc::duplicate_header, 400},
      {"CSeq of another method", with_header("CSeq: 1 INFO"), Errc::cseq_mismatch, 400},
      {"CSeq above 2**31", with_header("CSeq: 2147483648 OPTIONS"), Errc::bad_header_value, 400},
      {"Max-Forwards 256", with_header("Max-Forwards: 256"), Errc::bad_header_value, 400},
      {"Via of SIP/1.0", with_header("Via: SIP/1.0/TCP h;branch=z9hG4bK1"), Errc::bad_header_value,
       400},
      {"Via with an empty parameter", with_header("Via: SIP/2.0/TCP h;;branch=z9hG4bK1"),
       Errc::bad_header_value, 400},
      {"To with an unterminated quote", with_header("To: \"Bob <sip:b@c>"), Errc::bad_header_value,
       400},
      {"Session-Expires with a bad refresher", with_header("Session-Expires: 90;refresher=me"),
       Errc::bad_header_value, 400},
      {"Min-SE not a number", with_header("Min-SE: soon"), Errc::bad_header_value, 400},
      {"Content-Type without subtype", with_header("Content-Type: text"), Errc::bad_header_value,
       400},
      {"Content-Length negative", with_header("Content-Length: -1"), Errc::bad_content_length, 400},
      {"Content-Length as a list", with_header("Content-Length: 0, 0"), Errc::bad_content_length,
       400},
      {"Content-Length overflowing", with_header("Content-Length: 99999999999999999999999"),
       Errc::bad_content_length, 400},
      {"two equal Content-Lengths", with_header("Subject: x\r\nContent-Length: 0"),
       Errc::multiple_content_length, 400},
      {"two different Content-Lengths", with_header("Subject: x\r\nl: 3"),
       Errc::multiple_content_length, 400},
      {"Content-Length past the body limit", with_header("Content-Length: 1048577"),
       Errc::body_too_large, 413},
      {"start line past its limit", "OPTIONS sip:" + std::string(9000, 'a') + " SIP/2.0\r\n\r\n",
       Errc::start_line_too_long, 414},
      {"header section past its limit", with_header("Subject: " + std::string(70000, 's')),
       Errc::header_too_large, 513},
  };
  for (const auto& b : table) {
    INFO(b.what);
    auto m = sip::parse(b.bytes);
    REQUIRE_FALSE(m);
    CHECK(m.error().code() == b.code);
    CHECK(sip::response_status(m.error().code()) == b.status);
    CHECK(sip::test::grind(b.bytes, Framing::datagram) == std::string::npos);
  }
}

TEST_CASE("sip parser counts header fields against the limit", "[sip][parser]") {
  std::string many = kOptions;
  std::string extra;
  for (int i = 0; i < 300; ++i)
    extra += "X-H: " + std::to_string(i) + "\r\n";
  many.insert(many.find("Content-Length"), extra);
  auto m = sip::parse(many);
  REQUIRE_FALSE(m);
  CHECK(m.error().code() == Errc::too_many_headers);
  CHECK(sip::response_status(m.error().code()) == 513);
  sip::Limits roomy;
  roomy.max_header_count = 400;
  CHECK(sip::parse(many, roomy));
}

TEST_CASE("sip parser over a stream requires Content-Length", "[sip][parser]") {
  const auto bytes = without_header("Content-Length");
  auto r = sip::test::parse_in_two(bytes, bytes.size(), Framing::stream);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::missing_content_length);
  CHECK(sip::parse(bytes));  // a datagram may leave it out
}

TEST_CASE("sip parser stops at the end of one message on a stream", "[sip][parser]") {
  const std::string two = kOptions + kOptions;
  sip::Parser p(Framing::stream);
  auto used = p.feed(two);
  REQUIRE(used);
  CHECK(*used == kOptions.size());
  REQUIRE(p.done());
  const auto first = p.take();
  used = p.feed(std::string_view(two).substr(*used));
  REQUIRE(used);
  REQUIRE(p.done());
  CHECK(p.take() == first);
}

TEST_CASE("sip parser reports need_more for a datagram cut inside the headers", "[sip][parser]") {
  auto r = sip::parse(kOptions.substr(0, 40));
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::need_more);
  CHECK(sip::response_status(r.error().code()) == 0);
}

TEST_CASE("sip parser normalises folds, compact names and whitespace", "[sip][parser]") {
  auto m = sip::parse(crlf({"INFO sip:gw@example.com SIP/2.0", "v: SIP/2.0/TCP h;branch=z9hG4bK1",
                            "f:   <sip:a@b>;tag=1   ", "T :\t<sip:gw@example.com>", "i: x@y",
                            "cseq: 2\r\n  INFO", "Subject: a  \r\n   b", "l: 0", "", ""}));
  REQUIRE(m);
  CHECK(m->method == "INFO");
  CHECK(m->headers[0].name == "Via");
  CHECK(m->headers[1] == sip::Header{"From", "<sip:a@b>;tag=1"});
  CHECK(m->headers[2] == sip::Header{"To", "<sip:gw@example.com>"});
  CHECK(m->headers[3].name == "Call-ID");
  CHECK(m->headers[4] == sip::Header{"CSeq", "2 INFO"});
  CHECK(m->headers[5] == sip::Header{"Subject", "a b"});
  CHECK(m->headers[6] == sip::Header{"Content-Length", "0"});
}

TEST_CASE("sip parser bounds a datagram body without Content-Length", "[sip][parser]") {
  sip::Limits limits;
  limits.max_body_bytes = 10;
  const auto bytes = without_header("Content-Length") + std::string(11, 'b');
  auto r = sip::parse(bytes, limits);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::body_too_large);
  CHECK(sip::response_status(r.error().code()) == 413);
  CHECK(sip::test::grind(bytes, Framing::datagram, limits) == std::string::npos);
  limits.max_body_bytes = 11;
  auto ok = sip::parse(bytes, limits);
  REQUIRE(ok);
  CHECK(ok->body == std::string(11, 'b'));
}

TEST_CASE("sip error responses answer requests only, with what routes them back", "[sip][parser]") {
  const auto bad_version =
      "OPTIONS sip:gw@example.com SIP/3.0\r\n" + kOptions.substr(kOptions.find("\r\n") + 2);
  auto r = sip::parse(bad_version);
  REQUIRE_FALSE(r);
  auto answer = sip::error_response(bad_version, r.error().code());
  REQUIRE(answer);
  CHECK(answer->status == 505);
  CHECK(answer->reason == "Version Not Supported");
  CHECK(answer->header("Warning") != nullptr);
  CHECK(answer->to()->tag() == "rcc-err");
  CHECK(answer->cseq()->number == 63104);
  auto back = sip::parse(sip::serialize(*answer));
  REQUIRE(back);
  CHECK(*back == *answer);
  // A broken response is dropped, never answered.
  CHECK_FALSE(
      sip::error_response("SIP/2.0 2000 OK\r\n\r\n", make_error_code(Errc::bad_status_code)));
  // Nothing to answer when the start line never ended.
  CHECK_FALSE(sip::error_response("OPTIONS sip:a", make_error_code(Errc::start_line_too_long)));
}
