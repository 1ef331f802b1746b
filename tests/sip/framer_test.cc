// StreamFramer: messages back to back, CRLF keep-alives, and split-anywhere equivalence.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sip/error.h"
#include "sip/framer.h"
#include "sip_test_util.h"

namespace sip = rcc::sip;
using Kind = sip::StreamFramer::Kind;

namespace {

struct Frames {
  std::vector<sip::StreamFramer::Frame> frames;
  std::error_code error;
};

// Feeds `bytes` in pieces cut at the given offsets.
Frames run(std::string_view bytes, std::vector<std::size_t> cuts = {}) {
  Frames out;
  sip::StreamFramer framer;
  cuts.push_back(bytes.size());
  std::size_t at = 0;
  for (const auto cut : cuts) {
    auto piece = bytes.substr(at, cut - at);
    at = cut;
    while (!piece.empty()) {
      auto used = framer.feed(piece);
      if (!used) {
        out.error = used.error().code();
        return out;
      }
      piece.remove_prefix(*used);
      if (framer.ready()) out.frames.push_back(framer.take());
    }
  }
  return out;
}

bool same(const Frames& a, const Frames& b) {
  if (a.error != b.error || a.frames.size() != b.frames.size()) return false;
  for (std::size_t i = 0; i < a.frames.size(); ++i)
    if (a.frames[i].kind != b.frames[i].kind || a.frames[i].message != b.frames[i].message)
      return false;
  return true;
}

}  // namespace

TEST_CASE("sip framer cuts a stream into messages and keep-alives", "[sip][framer]") {
  const auto info = sip::test::read_data("uacsta/info_make_call.sip");
  const auto bye = sip::test::read_data("uacsta/bye.sip");
  const std::string stream = "\r\n\r\n" + info + "\r\n" + bye + "\r\n\r\n";
  const auto whole = run(stream);
  REQUIRE_FALSE(whole.error);
  REQUIRE(whole.frames.size() == 5);
  CHECK(whole.frames[0].kind == Kind::ping);
  CHECK(whole.frames[1].message.method == "INFO");
  CHECK(whole.frames[2].kind == Kind::pong);
  CHECK(whole.frames[3].message.method == "BYE");
  CHECK(whole.frames[4].kind == Kind::ping);
  // A lone CRLF at the end is held: it may still become a ping.
  CHECK(run(info + "\r\n").frames.size() == 1);
  // Every single cut gives the same frames.
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    INFO("cut at " << cut);
    REQUIRE(same(run(stream, {cut}), whole));
  }
}

TEST_CASE("sip framer refuses conflicting Content-Length on a stream", "[sip][framer]") {
  auto info = sip::test::read_data("uacsta/info_make_call.sip");
  info.insert(info.find("Content-Length"), "Content-Length: 3\r\n");
  const auto r = run(info);
  CHECK(r.error == sip::Errc::multiple_content_length);
  CHECK(sip::response_status(r.error) == 400);
}

TEST_CASE("sip framer refuses a CR that is not part of CRLF between messages", "[sip][framer]") {
  CHECK(run("\r\r\n").error == sip::Errc::bad_keepalive);
  CHECK(run("\r\n\rX").error == sip::Errc::bad_keepalive);
}

TEST_CASE("sip framer waits for the whole body a Content-Length announces", "[sip][framer]") {
  const auto info = sip::test::read_data("uacsta/info_make_call.sip");
  const auto partial = run(std::string_view(info).substr(0, info.size() - 1));
  CHECK_FALSE(partial.error);
  CHECK(partial.frames.empty());
}
