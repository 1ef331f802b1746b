#pragma once
// sip::Message: one SIP request or response as a value (RFC 3261 §7).
//
// Headers stay in the order they arrived, one entry per header line, with line folding
// replaced by a single space and the value trimmed. Names are stored in their canonical long
// form for the headers the stack knows (compact forms too: "i" becomes "Call-ID", "v" becomes
// "Via"); other names keep their spelling and compare case-insensitively. A Message made by
// the Parser is well formed: the headers the stack reads (Via, From, To, Call-ID, CSeq,
// Max-Forwards, Contact, Route, Record-Route, Session-Expires, Min-SE, Content-Type,
// Content-Disposition, Content-Length) were checked, so their typed accessors succeed.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/error.h"
#include "sip/headers.h"

namespace rcc::sip {

/// The headers the stack knows, in the order of canonical_header_name()'s table.
enum class HeaderId : std::uint8_t {
  other = 0,  ///< a header the stack does not know
  accept,
  accept_contact,
  accept_encoding,
  accept_language,
  alert_info,
  allow,
  allow_events,
  authorization,
  call_id,
  call_info,
  contact,
  content_disposition,
  content_encoding,
  content_language,
  content_length,
  content_type,
  cseq,
  date,
  event,
  expires,
  from,
  identity,
  identity_info,
  max_forwards,
  min_expires,
  min_se,
  proxy_require,
  record_route,
  refer_to,
  referred_by,
  reject_contact,
  request_disposition,
  require,
  retry_after,
  route,
  server,
  session_expires,
  subject,
  supported,
  to,
  unsupported,
  user_agent,
  via,
  warning,
};

struct Header {
  std::string name;
  std::string value;
  HeaderId id = HeaderId::other;  ///< derived from name (canonical_header_id); not compared
  bool operator==(const Header& o) const { return name == o.name && value == o.value; }
};

/// The canonical long name of a header the stack knows, matched case-insensitively, with the
/// compact forms of RFC 3261 §7.3.3 and the IANA registry (i, m, f, t, v, l, c, e, k, s, x, o,
/// r, b, u, a, j, d, y, n); empty for other names.
std::string_view canonical_header_name(std::string_view name);
/// The id of a known header name (long or compact form, any case), HeaderId::other otherwise.
HeaderId canonical_header_id(std::string_view name);
/// The canonical name of a known header id (empty for HeaderId::other).
std::string_view header_name(HeaderId id);

struct Message {
  // Request-Line (method non-empty) or Status-Line (status non-zero).
  std::string method;
  std::string request_uri;
  int status = 0;
  std::string reason;
  std::vector<Header> headers;
  std::string body;

  bool is_request() const { return !method.empty(); }

  /// The first header line called `name` (any spelling, long or compact), or nullptr.
  const std::string* header(std::string_view name) const;
  std::size_t count(std::string_view name) const;
  /// Every value of a header: each line, split at commas for list-valued headers.
  std::vector<std::string> values(std::string_view name) const;
  /// Adds a header line at the end; the name is canonicalised.
  void add(std::string_view name, std::string value);
  /// Replaces every line of `name` by one line (added at the end when absent).
  void set(std::string_view name, std::string value);
  void remove(std::string_view name);
  /// Sets the body and a matching Content-Length (and Content-Type when non-empty).
  void set_body(std::string body, std::string_view content_type = {});

  // Typed access. For a parsed Message these succeed whenever the header is present.
  Result<std::vector<Via>> vias() const;
  Result<NameAddr> from() const;
  Result<NameAddr> to() const;
  std::string_view call_id() const;
  Result<CSeq> cseq() const;
  Result<std::vector<NameAddr>> contacts() const;
  Result<std::vector<NameAddr>> record_routes() const;
  Result<std::vector<NameAddr>> routes() const;
  std::optional<int> max_forwards() const;
  std::optional<SessionExpires> session_expires() const;
  std::optional<std::uint32_t> min_se() const;
  std::optional<MediaType> content_type() const;
  std::optional<Disposition> content_disposition() const;
  std::optional<std::size_t> content_length() const;

  bool operator==(const Message& o) const {
    return method == o.method && request_uri == o.request_uri && status == o.status &&
           reason == o.reason && headers == o.headers && body == o.body;
  }
  bool operator!=(const Message& o) const { return !(*this == o); }
};

/// The bytes of a message: start line, headers in order (canonical names), CRLF, body.
/// Headers are written as stored; use set_body() to keep Content-Length right.
std::string serialize(const Message& m);
void serialize_to(const Message& m, std::string& out);

/// The standard reason phrase for a status code ("OK", "Call/Transaction Does Not Exist").
std::string_view reason_phrase(int status);

}  // namespace rcc::sip
