// Fuzzes the SIP parser as a datagram and as a stream split at a data-chosen point, then the
// typed accessors, the serializer round trip and the error-response builder: none of it may
// crash, hang or leak, and a message that parsed must parse again from its serialization.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sip/message.h"
#include "sip/parser.h"
#include "sip/response.h"

namespace sip = rcc::sip;

namespace {
void touch(const sip::Message& m) {
  (void)m.vias();
  (void)m.from();
  (void)m.to();
  (void)m.cseq();
  (void)m.contacts();
  (void)m.routes();
  (void)m.record_routes();
  (void)m.max_forwards();
  (void)m.session_expires();
  (void)m.min_se();
  (void)m.content_type();
  (void)m.content_disposition();
  (void)m.content_length();
  (void)m.values("Allow");
  (void)sip::check_request_uri(m);
  (void)sip::make_response(m, 200, "t");
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  sip::Limits limits;
  limits.max_header_bytes = 16 * 1024;
  limits.max_body_bytes = 16 * 1024;
  auto m = sip::parse(bytes, limits);
  if (m) {
    touch(*m);
    auto again = sip::parse(sip::serialize(*m), limits);
    if (!again || *again != *m) std::abort();
  } else {
    (void)sip::error_response(bytes, m.error().code());
  }
  // The same bytes as a stream, cut in two where the first byte says.
  sip::Parser p(sip::Framing::stream, limits);
  const std::size_t cut = size ? data[0] % (size + 1) : 0;
  for (auto piece : {bytes.substr(0, cut), bytes.substr(cut)}) {
    while (!piece.empty() && !p.done()) {
      auto used = p.feed(piece);
      if (!used) return 0;
      piece.remove_prefix(*used);
    }
  }
  if (p.done()) touch(p.take());
  return 0;
}
