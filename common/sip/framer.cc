#include "sip/framer.h"

#include "sip/error.h"

namespace rcc::sip {

StreamFramer::StreamFramer(Limits limits) : parser_(Framing::stream, limits) {}

StreamFramer::Frame StreamFramer::take() {
  ready_ = false;
  return std::move(frame_);
}

Result<std::size_t> StreamFramer::feed(std::string_view data) {
  std::size_t used = 0;
  while (!ready_ && used < data.size()) {
    const char c = data[used];
    if (parser_.idle() && (crlf_ > 0 || c == '\r')) {
      switch (crlf_) {
        case 0:
        case 2:
          if (c != '\r') {  // crlf_ == 2: a lone CRLF, then a message
            crlf_ = 0;
            frame_ = Frame{Kind::pong, {}};
            ready_ = true;
            return used;
          }
          ++crlf_;
          break;
        case 1:
        case 3:
          if (c != '\n') return Error(Errc::bad_keepalive, "CR without LF between messages");
          if (++crlf_ == 4) {
            crlf_ = 0;
            frame_ = Frame{Kind::ping, {}};
            ready_ = true;
          }
          break;
      }
      ++used;
      continue;
    }
    auto n = parser_.feed(data.substr(used));
    if (!n) return n.error();
    used += *n;
    if (parser_.done()) {
      frame_ = Frame{Kind::message, parser_.take()};
      ready_ = true;
    }
  }
  return used;
}

}  // namespace rcc::sip
