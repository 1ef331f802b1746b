#pragma once
// The SIP message parser: incremental, bounded, eager (RFC 3261 §7, the house style).
//
// Usage over a stream:
//
//   Parser p;                                  // Framing::stream, default Limits
//   while (!p.done()) {
//     auto used = p.feed(bytes);               // consumes what it can, keeps partial lines
//     if (!used) return fail(used.error());    // errors are final; response_status() says
//     bytes.remove_prefix(*used);              //   which SIP response a request deserves
//     if (bytes.empty()) bytes = read_more();
//   }
//   Message m = p.take();                      // p is ready for the next message
//
// Grammar choices: lines end in CRLF (a bare LF or CR is an error); a header line that starts
// with SP or HTAB continues the previous one and the fold becomes one SP; over a stream, empty
// lines before a start line are skipped (RFC 3261 §7.5). Over a stream Content-Length is
// required; in a datagram the body is the rest of the datagram (finish()), cut to
// Content-Length when that is shorter. Every limit is checked before memory is taken for it.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "diag/error.h"
#include "sip/message.h"

namespace rcc::sip {

struct Limits {
  std::size_t max_start_line = 8 * 1024;     ///< Request-Line or Status-Line, CRLF excluded
  std::size_t max_header_bytes = 64 * 1024;  ///< start line + headers + the empty line
  std::size_t max_header_count = 256;        ///< header lines (folded lines count once)
  std::size_t max_body_bytes = 1024 * 1024;  ///< Content-Length, or a datagram's body
};

enum class Framing {
  stream,    ///< TCP/TLS: Content-Length delimits the body and is mandatory (RFC 3261 §18.3)
  datagram,  ///< one message per buffer: the body ends where the input ends (finish())
};

class Parser {
 public:
  explicit Parser(Framing framing = Framing::stream, Limits limits = {});

  /// Consumes bytes of the current message and returns how many it took; it stops after the
  /// last byte of a message (done()). Never returns Errc::need_more: having taken every byte
  /// without finishing means more are needed. After an error the parser must be reset().
  Result<std::size_t> feed(std::string_view data);
  /// Datagram framing: the input has ended. Completes the message (the body is what was fed
  /// after the header section) or fails: need_more inside the header section, truncated_body
  /// when the body is shorter than Content-Length. Over a stream, need_more unless done().
  Result<void> finish();

  bool done() const { return state_ == State::done; }
  /// True between messages with nothing of the next one consumed (the framer's cue).
  bool idle() const { return state_ == State::start && head_.empty(); }
  /// The finished message; the parser is reset for the next one.
  Message take();
  void reset();

  const Limits& limits() const { return limits_; }

 private:
  enum class State { start, head, body, done };
  Result<std::size_t> feed_head(std::string_view data);
  Result<std::size_t> scan(std::string_view buf);
  Result<void> parse_head(std::string_view head);
  Result<std::size_t> feed_body(std::string_view data);

  Framing framing_;
  Limits limits_;
  State state_ = State::start;
  std::string head_;            // bytes of a header section that arrived in pieces
  std::size_t scanned_ = 0;     // bytes already searched for the end of the section
  std::size_t line_start_ = 0;  // offset of the line being scanned
  Message msg_;
  std::size_t content_length_ = 0;
  bool has_length_ = false;
};

/// Parses one complete message (datagram framing): feed() then finish().
Result<Message> parse(std::string_view bytes, Limits limits = {});

/// RFC 3261 §8.2.2.1: the Request-URI scheme must be one this UAS serves (sip, sips, tel);
/// otherwise Errc::unsupported_uri_scheme (416).
Result<void> check_request_uri(const Message& request);
/// RFC 3261 §8.2.2.3: the option tags of Require that are not in `supported` (a comma list);
/// a non-empty answer means 420 Bad Extension with those tags in Unsupported.
std::vector<std::string> unsupported_requirements(const Message& request,
                                                  std::string_view supported);

}  // namespace rcc::sip
