#pragma once
// rcc::sip::Errc: every way the SIP layer can refuse input or fail, and the SIP response
// (RFC 3261 §21) that a request refused for that reason gets.

#include <system_error>

namespace rcc::sip {

enum class Errc {
  /// Not a failure: parse() or Parser::finish() saw the input end inside a message. Over a
  /// stream, wait for more bytes; a datagram that ends here is truncated.
  need_more = 1,
  start_line_too_long,  ///< the request or status line passed Limits::max_start_line (414)
  header_too_large,     ///< the header section passed Limits::max_header_bytes (513)
  too_many_headers,     ///< more header fields than Limits::max_header_count (513)
  body_too_large,       ///< Content-Length passed Limits::max_body_bytes (413)
  bad_line_end,         ///< a LF without CR, or a CR without LF, in the header section (400)
  bad_start_line,       ///< the first line is neither Request-Line nor Status-Line (400)
  bad_request_uri,      ///< the Request-URI is not an absolute URI, or a SIP URI with headers (400)
  bad_version,          ///< a SIP version other than SIP/2.0 (505)
  bad_status_code,      ///< a status code that is not three digits in 100-699 (dropped)
  bad_header_line,      ///< a header line without a colon, with a bad name, or folded first (400)
  bad_header_value,     ///< a header the stack reads has a value that breaks its grammar (400)
  missing_header,       ///< Via, From, To, Call-ID or CSeq is absent (400)
  duplicate_header,    ///< a header allowed once (Call-ID, CSeq, From, To, ...) appears twice (400)
  cseq_mismatch,       ///< the CSeq method differs from the request method (400)
  bad_content_length,  ///< Content-Length is not a non-negative decimal number (400)
  multiple_content_length,  ///< Content-Length appears more than once, even with equal values (400)
  missing_content_length,   ///< a message on a stream has no Content-Length (RFC 3261 §18.3) (400)
  truncated_body,           ///< a datagram ends before Content-Length bytes of body (400)
  bad_keepalive,            ///< a CR that is not followed by LF between messages on a stream
  unsupported_uri_scheme,   ///< the Request-URI scheme is not sip, sips or tel (416)
  bad_extension,            ///< Require names an option tag this UAS does not support (420)
  unsupported_media_type,   ///< a body type the receiver does not handle (415)
  unknown_dialog,           ///< an in-dialog request matches no dialog (481)
  unknown_transaction,      ///< a CANCEL, ACK or response matches no transaction (481)
  session_interval_too_small,  ///< Session-Expires below our Min-SE (RFC 4028 §5) (422)
  cseq_out_of_order,           ///< an in-dialog request with a CSeq not above the last one (500)
  session_expired,             ///< RFC 4028: no session refresh came before Session-Expires ran out
  transaction_timeout,         ///< Timer B or F fired before a final response came (408)
  transport_closed,            ///< the connection a transaction or dialog uses has closed (503)
  read_timeout,                ///< no bytes arrived on a connection before its read deadline
  tls_failure,                 ///< the TLS handshake or record layer failed (OpenSSL says why)
  queue_full,                  ///< a dialog has max_queued_infos requests waiting already (503)
  overloaded,                  ///< max_dialogs or max_connections reached (503 + Retry-After)
};

const std::error_category& sip_category();
std::error_code make_error_code(Errc e);

/// The status code to answer a request that failed with `e` (400, 413, 414, 416, 422, 481, 505,
/// 513, ...), or 0 when nothing should be sent: need_more, a bad response (responses are never
/// answered), or errors that are not about a request (read_timeout, tls_failure).
int response_status(std::error_code e);

}  // namespace rcc::sip

template <>
struct std::is_error_code_enum<rcc::sip::Errc> : std::true_type {};
