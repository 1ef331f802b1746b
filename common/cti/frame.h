#pragma once
// CSTA XML over TCP: message framing (ECMA-323 Annex J, see docs/protocol.md).
//
//   offset 0  uint16 BE  format indicator, 0x0000 = XML without SOAP
//   offset 2  uint16 BE  total length, header included (9..65535)
//   offset 4  4 ASCII digits  invoke ID: 0000..9998 requests/responses, 9999 events
//   offset 8  the XML body
//
// Some switches end each XML document with a NUL byte instead (Framing::nul_terminated); their
// frames carry no invoke ID (Frame::invoke_id is kNoInvokeId).
//
// FrameDecoder is incremental: feed() takes whatever bytes arrived, however the stream was cut,
// and returns the complete frames. A length shorter than the header, a frame over the limit, a
// non-digit invoke ID or (in strict mode) a non-zero format indicator are errors after which the
// connection must be dropped: the stream can no longer be trusted to be in step.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "diag/error.h"

namespace rcc::cti {

enum class Errc {
  length_too_small = 1,  ///< the length field is below 9 (the header alone is 8 bytes)
  frame_too_large,       ///< the frame is longer than FrameLimits::max_frame_bytes
  bad_invoke_id,         ///< the invoke ID is not 4 ASCII digits
  bad_format_indicator,  ///< strict mode: the format indicator is not 0x0000
  body_too_large,        ///< encode: the body does not fit a 16-bit length
  // --- the link (link.h) and the pool (node_pool.h) ---
  bad_address,         ///< a node is not HOST:PORT
  connect_failed,      ///< TCP connect refused or unreachable (detail: the system's reason)
  connect_timeout,     ///< no TCP connection (or TLS handshake) within the connect timeout
  tls_failed,          ///< the TLS handshake failed
  bad_credentials,     ///< session refused: invalidApplicationInfo (wrong user or password)
  no_permission,       ///< session refused: the user lacks CTI permission (docs/protocol.md)
  session_refused,     ///< session refused for another reason
  request_timeout,     ///< no response to a request within the request timeout
  link_down,           ///< the link dropped (peer closed, reset) while a request was pending
  garbage,             ///< the peer sent bytes that are not CSTA XML frames
  frame_timeout,       ///< half a frame, then silence past the frame timeout
  session_terminated,  ///< the peer ended the session (ApplicationSessionTerminated)
  heartbeat_refused,   ///< ResetApplicationSessionTimerNegResponse
  not_active,          ///< a request before the session is active or after it ended
  no_node_up,          ///< the pool has no node up: refused at once
  csta_error,          ///< the peer answered a request with CSTAErrorCode (detail: category/value)
  stopped,             ///< the link was stopped by its owner
  overloaded,          ///< the node's request queue is full (NodePool::Pacing::max_queued)
};
const std::error_category& cti_category();
std::error_code make_error_code(Errc e);

constexpr std::size_t kHeaderBytes = 8;
constexpr int kEventInvokeId = 9999;
constexpr int kNoInvokeId = -1;

enum class Framing {
  annex_j,         ///< the 8-byte header (default)
  nul_terminated,  ///< XML documents separated by a NUL byte (Uni-tel style)
};

struct FrameLimits {
  Framing framing = Framing::annex_j;
  /// Largest frame accepted, header included. 65535 is the most a 16-bit length can say.
  std::size_t max_frame_bytes = 65535;
  /// Refuse frames whose format indicator is not 0 (else they are accepted; callers may log).
  bool strict_indicator = false;
  /// Whether the length counts the 8 header bytes (every implementation seen does).
  bool length_includes_header = true;
};

struct Frame {
  int invoke_id = kNoInvokeId;
  std::uint16_t indicator = 0;
  std::string body;

  bool is_event() const { return invoke_id == kEventInvokeId; }
  bool operator==(const Frame& o) const {
    return invoke_id == o.invoke_id && indicator == o.indicator && body == o.body;
  }
};

class FrameDecoder {
 public:
  explicit FrameDecoder(FrameLimits limits = {}) : limits_(limits) {}

  /// Consumes all of `bytes`, appending each completed frame to `out`. On error the decoder is
  /// spent (every later call returns the same error) and the connection should be closed.
  Result<void> feed(std::string_view bytes, std::vector<Frame>& out);

  /// True while part of a frame is buffered (a peer that stops here is "half a frame, then
  /// silence": the caller's read deadline decides when to give up).
  bool mid_frame() const { return !buffer_.empty(); }
  std::size_t buffered() const { return buffer_.size(); }

 private:
  Result<void> feed_annex_j(std::vector<Frame>& out);
  Result<void> feed_nul(std::vector<Frame>& out);

  FrameLimits limits_;
  std::string buffer_;
  std::optional<Error> failed_;
};

/// The bytes of one frame. Errors: bad_invoke_id (outside 0..9999), body_too_large.
Result<std::string> encode_frame(int invoke_id, std::string_view body,
                                 const FrameLimits& limits = {});

/// Invoke IDs for requests: 1..9998, wrapping, skipping those still outstanding.
class InvokeIds {
 public:
  /// The next free ID, or kNoInvokeId when all 9998 are outstanding.
  template <class IsOutstanding>
  int next(IsOutstanding&& outstanding) {
    for (int tries = 0; tries < 9998; ++tries) {
      last_ = last_ % 9998 + 1;
      if (!outstanding(last_)) return last_;
    }
    return kNoInvokeId;
  }

 private:
  int last_ = 0;
};

}  // namespace rcc::cti

template <>
struct std::is_error_code_enum<rcc::cti::Errc> : std::true_type {};
