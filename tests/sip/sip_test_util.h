#pragma once
// Helpers shared by the SIP tests: fixture files and the split-at-every-byte grinder.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "sip/error.h"
#include "sip/parser.h"

namespace rcc::sip::test {

inline std::string data_path(const std::string& relative) {
  const char* root = std::getenv("RCC_TEST_DATA");
  return std::string(root ? root : "tests/data") + "/sip/" + relative;
}

inline std::string read_data(const std::string& relative) {
  std::ifstream in(data_path(relative), std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// Parses `bytes` fed in two pieces cut at `cut`, as a datagram (then finish()) or as a stream
/// (which must end exactly with the message).
inline Result<Message> parse_in_two(std::string_view bytes, std::size_t cut, Framing framing,
                                    Limits limits = {}) {
  Parser p(framing, limits);
  for (auto piece : {bytes.substr(0, cut), bytes.substr(cut)}) {
    while (!piece.empty() && !p.done()) {
      auto used = p.feed(piece);
      if (!used) return used.error();
      piece.remove_prefix(*used);
    }
  }
  if (framing == Framing::datagram) {
    if (auto ok = p.finish(); !ok) return ok.error();
  } else if (!p.done()) {
    return Error(Errc::need_more, "stream ended inside the message");
  }
  return p.take();
}

/// The outcome in a form that compares: the message, or the error code.
struct Outcome {
  bool ok = false;
  Message message;
  std::error_code code;
  bool operator==(const Outcome& o) const {
    return ok == o.ok && (ok ? message == o.message : code == o.code);
  }
};

inline Outcome outcome(const Result<Message>& r) {
  if (r) return {true, *r, {}};
  return {false, {}, r.error().code()};
}

/// The cut offset at which the grinder first disagreed with the unsplit parse, or npos.
inline std::size_t grind(std::string_view bytes, Framing framing, Limits limits = {}) {
  const Outcome whole = outcome(parse_in_two(bytes, bytes.size(), framing, limits));
  for (std::size_t cut = 0; cut <= bytes.size(); ++cut)
    if (!(outcome(parse_in_two(bytes, cut, framing, limits)) == whole)) return cut;
  return std::string_view::npos;
}

}  // namespace rcc::sip::test
