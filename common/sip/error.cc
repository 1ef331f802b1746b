#include "sip/error.h"

#include <string>

namespace rcc::sip {
namespace {

class SipCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "sip"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::need_more:
        return "message incomplete";
      case Errc::start_line_too_long:
        return "start line too long";
      case Errc::header_too_large:
        return "header section too large";
      case Errc::too_many_headers:
        return "too many header fields";
      case Errc::body_too_large:
        return "body too large";
      case Errc::bad_line_end:
        return "line not ended by CRLF";
      case Errc::bad_start_line:
        return "malformed start line";
      case Errc::bad_request_uri:
        return "malformed Request-URI";
      case Errc::bad_version:
        return "unsupported SIP version";
      case Errc::bad_status_code:
        return "malformed status code";
      case Errc::bad_header_line:
        return "malformed header line";
      case Errc::bad_header_value:
        return "malformed header value";
      case Errc::missing_header:
        return "mandatory header missing";
      case Errc::duplicate_header:
        return "single-valued header repeated";
      case Errc::cseq_mismatch:
        return "CSeq method does not match the request method";
      case Errc::bad_content_length:
        return "malformed Content-Length";
      case Errc::multiple_content_length:
        return "more than one Content-Length";
      case Errc::missing_content_length:
        return "Content-Length missing on a stream";
      case Errc::truncated_body:
        return "body shorter than Content-Length";
      case Errc::bad_keepalive:
        return "malformed CRLF keep-alive";
      case Errc::session_expired:
        return "session expired";
      case Errc::unsupported_uri_scheme:
        return "unsupported URI scheme";
      case Errc::bad_extension:
        return "unsupported extension required";
      case Errc::unsupported_media_type:
        return "unsupported media type";
      case Errc::unknown_dialog:
        return "no such dialog";
      case Errc::unknown_transaction:
        return "no such transaction";
      case Errc::session_interval_too_small:
        return "session interval too small";
      case Errc::cseq_out_of_order:
        return "CSeq out of order";
      case Errc::transaction_timeout:
        return "transaction timed out";
      case Errc::transport_closed:
        return "connection closed";
      case Errc::read_timeout:
        return "read deadline passed";
      case Errc::tls_failure:
        return "TLS failure";
      case Errc::queue_full:
        return "too many requests queued for the dialog";
      case Errc::overloaded:
        return "overloaded";
    }
    return "unknown SIP error";
  }
};

}  // namespace

const std::error_category& sip_category() {
  static const SipCategory category;
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), sip_category()};
}

int response_status(std::error_code e) {
  if (e.category() != sip_category()) return 500;
  switch (static_cast<Errc>(e.value())) {
    case Errc::start_line_too_long:
      return 414;  // RFC 3261 §21.4.12 Request-URI Too Long
    case Errc::header_too_large:
    case Errc::too_many_headers:
      return 513;  // §21.5.14 Message Too Large
    case Errc::body_too_large:
      return 413;  // §21.4.11 Request Entity Too Large
    case Errc::bad_version:
      return 505;  // §21.5.6 Version Not Supported
    case Errc::unsupported_uri_scheme:
      return 416;
    case Errc::bad_extension:
      return 420;
    case Errc::unsupported_media_type:
      return 415;
    case Errc::unknown_dialog:
    case Errc::unknown_transaction:
      return 481;
    case Errc::session_interval_too_small:
      return 422;  // RFC 4028 §6
    case Errc::cseq_out_of_order:
      return 500;  // RFC 3261 §12.2.2
    case Errc::transaction_timeout:
      return 408;
    case Errc::transport_closed:
    case Errc::queue_full:
    case Errc::overloaded:
      return 503;
    case Errc::bad_line_end:
    case Errc::bad_start_line:
    case Errc::bad_request_uri:
    case Errc::bad_header_line:
    case Errc::bad_header_value:
    case Errc::missing_header:
    case Errc::duplicate_header:
    case Errc::cseq_mismatch:
    case Errc::bad_content_length:
    case Errc::multiple_content_length:
    case Errc::missing_content_length:
    case Errc::truncated_body:
      return 400;
    case Errc::need_more:
    case Errc::bad_status_code:
    case Errc::bad_keepalive:
    case Errc::session_expired:
    case Errc::read_timeout:
    case Errc::tls_failure:
      return 0;
  }
  return 500;
}

}  // namespace rcc::sip
