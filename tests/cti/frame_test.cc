#include "cti/frame.h"

#include <catch2/catch.hpp>

using namespace rcc::cti;

namespace {

std::string header(std::uint16_t indicator, std::uint16_t length, const char* invoke) {
  std::string h;
  h += char(indicator >> 8);
  h += char(indicator & 0xFF);
  h += char(length >> 8);
  h += char(length & 0xFF);
  h += invoke;
  return h;
}

const std::string kBody =
    "<MonitorStart xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\">"
    "<monitorObject><deviceObject>4711</deviceObject></monitorObject></MonitorStart>";

}  // namespace

TEST_CASE("cti frame encodes the Annex J header", "[cti][frame]") {
  const std::string body(120, 'x');
  auto bytes = encode_frame(12, body);
  REQUIRE(bytes);
  CHECK(bytes->substr(0, 8) == std::string("\x00\x00\x00\x80"
                                           "0012",
                                           8));
  CHECK(bytes->size() == 128);
  CHECK(encode_frame(9999, "<a/>")->substr(4, 4) == "9999");
  CHECK(encode_frame(10000, "<a/>").error().code() == Errc::bad_invoke_id);
  CHECK(encode_frame(1, std::string(65528, 'x')).error().code() == Errc::body_too_large);
  CHECK(encode_frame(1, std::string(65527, 'x')));
}

TEST_CASE("cti frame decoder round-trips frames fed in any pieces", "[cti][frame]") {
  std::string stream;
  for (int id : {1, 9999, 42})
    stream += *encode_frame(id, kBody + std::to_string(id));
  const int cut = GENERATE_COPY(range(0, int(stream.size()) + 1));
  FrameDecoder d;
  std::vector<Frame> frames;
  REQUIRE(d.feed(std::string_view(stream).substr(0, std::size_t(cut)), frames));
  REQUIRE(d.feed(std::string_view(stream).substr(std::size_t(cut)), frames));
  REQUIRE(frames.size() == 3);
  CHECK(frames[0].invoke_id == 1);
  CHECK(frames[1].is_event());
  CHECK(frames[2].body == kBody + "42");
  CHECK_FALSE(d.mid_frame());
}

TEST_CASE("cti frame decoder refuses a length shorter than the header", "[cti][frame]") {
  for (std::uint16_t length : {0, 5, 8}) {
    FrameDecoder d;
    std::vector<Frame> frames;
    auto r = d.feed(header(0, length, "0001") + "<a/>", frames);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::length_too_small);
    // Spent: the stream is out of step, so every later call fails the same way.
    CHECK(d.feed(*encode_frame(2, "<b/>"), frames).error().code() == Errc::length_too_small);
    CHECK(frames.empty());
  }
}

TEST_CASE("cti frame decoder refuses a frame over the configured maximum", "[cti][frame]") {
  FrameLimits limits;
  limits.max_frame_bytes = 1024;
  FrameDecoder d(limits);
  std::vector<Frame> frames;
  // Refused from the header alone, before the body is buffered.
  auto r = d.feed(header(0, 2000, "0003"), frames);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::frame_too_large);
}

TEST_CASE("cti frame decoder waits for a length past what was sent", "[cti][frame]") {
  FrameDecoder d;
  std::vector<Frame> frames;
  REQUIRE(d.feed(header(0, 500, "0004") + "<partial", frames));
  CHECK(frames.empty());
  CHECK(d.mid_frame());
  CHECK(d.buffered() == 16);
}

TEST_CASE("cti frame decoder refuses non-digit invoke IDs and, when strict, other indicators",
          "[cti][frame]") {
  FrameDecoder d;
  std::vector<Frame> frames;
  CHECK(d.feed(header(0, 12, "00a1") + "<a/>", frames).error().code() == Errc::bad_invoke_id);
  FrameDecoder lenient;
  REQUIRE(lenient.feed(header(1, 12, "0001") + "<a/>", frames));
  CHECK(frames.at(0).indicator == 1);
  FrameLimits strict;
  strict.strict_indicator = true;
  FrameDecoder s(strict);
  CHECK(s.feed(header(1, 12, "0001") + "<a/>", frames).error().code() ==
        Errc::bad_format_indicator);
}

TEST_CASE("cti frame decoder supports lengths that exclude the header", "[cti][frame]") {
  FrameLimits limits;
  limits.length_includes_header = false;
  auto bytes = encode_frame(7, "<a/>", limits);
  REQUIRE(bytes);
  CHECK(bytes->substr(2, 2) == std::string("\x00\x04", 2));
  FrameDecoder d(limits);
  std::vector<Frame> frames;
  REQUIRE(d.feed(*bytes, frames));
  REQUIRE(frames.size() == 1);
  CHECK(frames[0].body == "<a/>");
}

TEST_CASE("cti NUL-terminated framing splits documents on NUL", "[cti][frame]") {
  FrameLimits limits;
  limits.framing = Framing::nul_terminated;
  limits.max_frame_bytes = 64;
  std::string stream =
      *encode_frame(kNoInvokeId, "<a/>", limits) + *encode_frame(kNoInvokeId, "<b/>", limits);
  const int cut = GENERATE_COPY(range(0, int(stream.size()) + 1));
  FrameDecoder d(limits);
  std::vector<Frame> frames;
  REQUIRE(d.feed(stream.substr(0, std::size_t(cut)), frames));
  REQUIRE(d.feed(stream.substr(std::size_t(cut)), frames));
  REQUIRE(frames.size() == 2);
  CHECK(frames[1].body == "<b/>");
  CHECK(frames[1].invoke_id == kNoInvokeId);
  FrameDecoder flood(limits);
  CHECK(flood.feed(std::string(65, 'x'), frames).error().code() == Errc::frame_too_large);
}

TEST_CASE("invoke IDs wrap below 9999 and skip outstanding ones", "[cti][frame]") {
  InvokeIds ids;
  CHECK(ids.next([](int) { return false; }) == 1);
  CHECK(ids.next([](int id) { return id == 2; }) == 3);
  for (int k = 0; k < 9994; ++k)
    ids.next([](int) { return false; });
  CHECK(ids.next([](int) { return false; }) == 9998);
  CHECK(ids.next([](int) { return false; }) == 1);
  CHECK(ids.next([](int) { return true; }) == kNoInvokeId);
}
