// Fuzzes the CSTA/TCP frame decoder in both framings, with the input cut in two at a point the
// input itself chooses; decoded frames must re-encode to the bytes they came from.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "cti/frame.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  using namespace rcc::cti;
  FrameLimits limits;
  limits.framing = data[0] & 1 ? Framing::nul_terminated : Framing::annex_j;
  limits.max_frame_bytes = data[0] & 2 ? 4096 : 65535;
  limits.strict_indicator = data[0] & 4;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 2, size - 2);
  const std::size_t cut = bytes.empty() ? 0 : data[1] % (bytes.size() + 1);
  FrameDecoder decoder(limits);
  std::vector<Frame> frames;
  if (decoder.feed(bytes.substr(0, cut), frames)) (void)decoder.feed(bytes.substr(cut), frames);
  std::size_t offset = 0;
  for (const auto& f : frames) {
    if (limits.framing == Framing::nul_terminated) break;
    auto again = encode_frame(f.invoke_id, f.body, limits);
    if (!again) std::abort();
    // Re-encoding writes indicator 0; compare everything after it.
    if (bytes.substr(offset + 2, again->size() - 2) != std::string_view(*again).substr(2))
      std::abort();
    offset += again->size();
  }
  return 0;
}
