#include "cti/frame.h"

namespace rcc::cti {
namespace {

class CtiCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "cti"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::length_too_small:
        return "frame length shorter than its header";
      case Errc::frame_too_large:
        return "frame larger than the configured maximum";
      case Errc::bad_invoke_id:
        return "invoke ID is not four ASCII digits";
      case Errc::bad_format_indicator:
        return "format indicator is not 0x0000 (XML without SOAP)";
      case Errc::body_too_large:
        return "body does not fit in one frame";
      case Errc::bad_address:
        return "not HOST:PORT";
      case Errc::connect_failed:
        return "connection refused";
      case Errc::connect_timeout:
        return "connect timed out";
      case Errc::tls_failed:
        return "TLS handshake failed";
      case Errc::bad_credentials:
        return "wrong application user or password";
      case Errc::no_permission:
        return "application user has no CTI permission";
      case Errc::session_refused:
        return "application session refused";
      case Errc::request_timeout:
        return "request timed out";
      case Errc::link_down:
        return "link down";
      case Errc::garbage:
        return "peer does not speak CSTA XML over TCP";
      case Errc::frame_timeout:
        return "half a frame, then silence";
      case Errc::session_terminated:
        return "session terminated by the peer";
      case Errc::heartbeat_refused:
        return "heartbeat refused";
      case Errc::not_active:
        return "no active application session";
      case Errc::no_node_up:
        return "no CTI node is up";
      case Errc::csta_error:
        return "request refused by the CTI manager";
      case Errc::stopped:
        return "link stopped";
      case Errc::overloaded:
        return "request queue full";
    }
    return "unknown error";
  }
};

std::uint16_t be16(const std::string& s, std::size_t at) {
  return std::uint16_t((static_cast<unsigned char>(s[at]) << 8) |
                       static_cast<unsigned char>(s[at + 1]));
}

}  // namespace

const std::error_category& cti_category() {
  static const CtiCategory category;
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), cti_category()};
}

Result<void> FrameDecoder::feed(std::string_view bytes, std::vector<Frame>& out) {
  if (failed_) return *failed_;
  buffer_.append(bytes);
  auto result = limits_.framing == Framing::annex_j ? feed_annex_j(out) : feed_nul(out);
  if (!result) {
    failed_ = result.error();
    buffer_.clear();
  }
  return result;
}

Result<void> FrameDecoder::feed_annex_j(std::vector<Frame>& out) {
  std::size_t pos = 0;
  while (buffer_.size() - pos >= kHeaderBytes) {
    const std::uint16_t indicator = be16(buffer_, pos);
    if (indicator != 0 && limits_.strict_indicator) {
      return Error(Errc::bad_format_indicator, "format indicator 0x" + std::to_string(indicator));
    }
    std::size_t total = be16(buffer_, pos + 2);
    if (!limits_.length_includes_header) total += kHeaderBytes;
    if (total <= kHeaderBytes) {
      return Error(Errc::length_too_small,
                   "length " + std::to_string(total) + " is not more than the 8-byte header");
    }
    if (total > limits_.max_frame_bytes) {
      return Error(Errc::frame_too_large, "frame of " + std::to_string(total) + " bytes, limit " +
                                              std::to_string(limits_.max_frame_bytes));
    }
    int invoke_id = 0;
    for (std::size_t k = 4; k < 8; ++k) {
      const char c = buffer_[pos + k];
      if (c < '0' || c > '9')
        return Error(Errc::bad_invoke_id, "invoke ID bytes are not 4 ASCII digits");
      invoke_id = invoke_id * 10 + (c - '0');
    }
    if (buffer_.size() - pos < total) break;  // the rest of the body has not arrived yet
    Frame& f = out.emplace_back();
    f.invoke_id = invoke_id;
    f.indicator = indicator;
    f.body.assign(buffer_, pos + kHeaderBytes, total - kHeaderBytes);
    pos += total;
  }
  buffer_.erase(0, pos);
  return {};
}

Result<void> FrameDecoder::feed_nul(std::vector<Frame>& out) {
  std::size_t pos = 0;
  for (std::size_t nul; (nul = buffer_.find('\0', pos)) != std::string::npos; pos = nul + 1) {
    if (nul - pos > limits_.max_frame_bytes) {
      return Error(Errc::frame_too_large,
                   "document longer than " + std::to_string(limits_.max_frame_bytes) + " bytes");
    }
    if (nul == pos) continue;  // stray NUL between documents
    Frame& f = out.emplace_back();
    f.body.assign(buffer_, pos, nul - pos);
  }
  buffer_.erase(0, pos);
  if (buffer_.size() > limits_.max_frame_bytes) {
    return Error(Errc::frame_too_large,
                 "document longer than " + std::to_string(limits_.max_frame_bytes) + " bytes");
  }
  return {};
}

Result<std::string> encode_frame(int invoke_id, std::string_view body, const FrameLimits& limits) {
  if (limits.framing == Framing::nul_terminated) {
    if (body.find('\0') != std::string_view::npos)
      return Error(Errc::body_too_large, "body contains a NUL byte");
    std::string out(body);
    out += '\0';
    return out;
  }
  if (invoke_id < 0 || invoke_id > 9999) {
    return Error(Errc::bad_invoke_id, "invoke ID " + std::to_string(invoke_id) + " is not 0..9999");
  }
  const std::size_t total = body.size() + kHeaderBytes;
  const std::size_t field = limits.length_includes_header ? total : body.size();
  if (total > limits.max_frame_bytes || field > 0xFFFF) {
    return Error(Errc::body_too_large,
                 "body of " + std::to_string(body.size()) + " bytes does not fit one frame");
  }
  std::string out;
  out.reserve(total);
  out += '\0';
  out += '\0';
  out += char(field >> 8);
  out += char(field & 0xFF);
  const int digits[] = {invoke_id / 1000, invoke_id / 100 % 10, invoke_id / 10 % 10,
                        invoke_id % 10};
  for (int d : digits)
    out += char('0' + d);
  out.append(body);
  return out;
}

}  // namespace rcc::cti
