#pragma once
// StreamFramer: cuts a TCP or TLS byte stream into SIP messages and keep-alives.
//
// RFC 3261 §18.3: on a stream, Content-Length delimits every message (the Parser enforces it,
// and refuses duplicate or conflicting values). RFC 5626 §3.5.1: between messages a peer may
// send CRLFCRLF ("ping", answer with CRLF) or CRLF ("pong"). A lone CRLF is reported as a
// pong only once the next byte shows it is not the start of a ping, so splitting the stream
// anywhere yields the same frames.

#include <cstddef>
#include <string_view>

#include "diag/error.h"
#include "sip/message.h"
#include "sip/parser.h"

namespace rcc::sip {

inline constexpr std::string_view kPing = "\r\n\r\n";
inline constexpr std::string_view kPong = "\r\n";

class StreamFramer {
 public:
  enum class Kind { message, ping, pong };
  struct Frame {
    Kind kind = Kind::message;
    Message message;  ///< for Kind::message
  };

  explicit StreamFramer(Limits limits = {});

  /// Consumes bytes up to the end of one frame (then ready() is true and feed() takes nothing
  /// until take()). Errors are final for the connection: answer with response_status() when it
  /// is non-zero and the start line was a request, then close.
  Result<std::size_t> feed(std::string_view data);
  bool ready() const { return ready_; }
  Frame take();

 private:
  Parser parser_;
  int crlf_ = 0;  // keep-alive bytes seen between messages: 1 "\r", 2 "\r\n", 3 "\r\n\r"
  bool ready_ = false;
  Frame frame_;
};

}  // namespace rcc::sip
