// Fuzzes what a CTI peer can send: the byte stream is cut into frames (FrameDecoder), each body
// decoded (csta::decode); application-session messages must round-trip (encode, decode, encode
// gives the same bytes), and CSTA requests go through rcc-ctisim's call model (World) from two
// sessions, so a hostile sequence of MakeCall/Transfer/Conference/... cannot corrupt it.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "csta/codec.h"
#include "cti/frame.h"
#include "ctisim/world.h"
#include "directory/directory.h"

namespace {

const rcc::directory::FileDirectory& fuzz_directory() {
  static const auto dir = [] {
    auto d = rcc::directory::parse_directory(
        "[[device]]\nname = \"SEPA\"\nmodel = \"Cisco 7975\"\nregistered = true\n"
        "lines = [{ dn = \"4711\" }]\n"
        "[[device]]\nname = \"SEPB\"\nmodel = \"Cisco IP Communicator\"\nregistered = true\n"
        "lines = [{ dn = \"4712\" }]\n"
        "[[device]]\nname = \"SEPC\"\nmodel = \"Cisco 7942\"\nregistered = false\n"
        "lines = [{ dn = \"4713\" }]\n",
        "fuzz.toml");
    if (!d) std::abort();
    return std::move(*d);
  }();
  return dir;
}

template <class T>
bool round_trips(const rcc::csta::Message& m) {
  const auto* body = std::get_if<T>(&m.body);
  if (!body) return true;
  const std::string once = rcc::csta::encode(m);
  auto again = rcc::csta::decode(once);
  return again && rcc::csta::encode(*again) == once;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rcc;
  cti::FrameLimits limits;
  limits.max_frame_bytes = 16384;
  cti::FrameDecoder decoder(limits);
  std::vector<cti::Frame> frames;
  (void)decoder.feed(std::string_view(reinterpret_cast<const char*>(data), size), frames);
  ctisim::World world(fuzz_directory());
  std::vector<ctisim::Out> out;
  for (const auto& f : frames) {
    auto m = csta::decode(f.body);
    if (!m) continue;
    bool ok = round_trips<csta::StartApplicationSession>(*m) &&
              round_trips<csta::StartApplicationSessionPosResponse>(*m) &&
              round_trips<csta::StartApplicationSessionNegResponse>(*m) &&
              round_trips<csta::ResetApplicationSessionTimer>(*m) &&
              round_trips<csta::ResetApplicationSessionTimerPosResponse>(*m) &&
              round_trips<csta::StopApplicationSession>(*m) &&
              round_trips<csta::ApplicationSessionTerminated>(*m);
    if (!ok) std::abort();
    // The invoke ID's parity picks the session, so monitors of two sessions interleave.
    world.handle(1 + std::uint64_t(f.invoke_id & 1), f.invoke_id, m->body, out);
    if (out.empty()) std::abort();  // every request gets an answer
    out.clear();
    if (f.invoke_id % 7 == 3) world.drop_session(1);
  }
  return 0;
}
