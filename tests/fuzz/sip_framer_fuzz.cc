// Fuzzes the TCP stream framer: the input is cut into pieces whose sizes come from the data, and
// the frames must be the same as when the whole input is fed at once.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "sip/framer.h"

namespace sip = rcc::sip;

namespace {
struct Seen {
  std::vector<sip::StreamFramer::Frame> frames;
  bool failed = false;
};

Seen run(std::string_view bytes, std::size_t step) {
  Seen out;
  sip::Limits limits;
  limits.max_header_bytes = 16 * 1024;
  limits.max_body_bytes = 16 * 1024;
  sip::StreamFramer framer(limits);
  std::size_t at = 0;
  while (at < bytes.size()) {
    auto piece = bytes.substr(at, step);
    at += piece.size();
    while (!piece.empty()) {
      auto used = framer.feed(piece);
      if (!used) {
        out.failed = true;
        return out;
      }
      piece.remove_prefix(*used);
      if (framer.ready()) out.frames.push_back(framer.take());
      if (out.frames.size() > 1000) return out;
    }
  }
  return out;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const auto whole = run(bytes, size ? size : 1);
  const auto pieces = run(bytes, size ? 1 + data[size - 1] % 17 : 1);
  if (whole.failed != pieces.failed || whole.frames.size() != pieces.frames.size()) std::abort();
  for (std::size_t i = 0; i < whole.frames.size(); ++i) {
    if (whole.frames[i].kind != pieces.frames[i].kind) std::abort();
    if (whole.frames[i].message != pieces.frames[i].message) std::abort();
  }
  return 0;
}
