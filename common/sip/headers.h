#pragma once
// Typed SIP header values (RFC 3261 §20, RFC 4028 §4-5) and their grammar.
//
// Values reach these functions as the parser stores them: line folding already replaced by one
// space, leading and trailing whitespace trimmed. Every function checks the whole value and
// returns Errc::bad_header_value with a short detail when it breaks the grammar; nothing here
// throws. Parameters keep their order and spelling (names compare case-insensitively).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diag/error.h"
#include "util/text.h"

namespace rcc::sip {

struct Param {
  std::string name;
  std::string value;  ///< unquoted; empty when has_value is false
  bool has_value = false;
  bool quoted = false;  ///< the value was a quoted-string (serializer quotes it again)
  bool operator==(const Param& o) const {
    return name == o.name && value == o.value && has_value == o.has_value && quoted == o.quoted;
  }
};
using Params = std::vector<Param>;

/// The first parameter called `name` (case-insensitive), or nullptr.
const Param* find_param(const Params& params, std::string_view name);
/// ";name=value" for each parameter, quoting values that were quoted.
void append_params(std::string& out, const Params& params);

/// One Via value: SIP/2.0/<transport> host[:port] *(;param).
struct Via {
  std::string transport;  ///< as written, upper-cased ("TCP", "TLS", "UDP", or unknown tokens)
  std::string host;       ///< IPv6 references keep their brackets
  std::optional<std::uint16_t> port;
  Params params;

  std::string_view branch() const;
  std::string to_string() const;
  bool operator==(const Via& o) const {
    return transport == o.transport && host == o.host && port == o.port && params == o.params;
  }
};

/// From, To, Contact, Route, Record-Route: name-addr or addr-spec, then header parameters.
struct NameAddr {
  std::string display_name;  ///< unquoted and unescaped; empty when absent
  std::string uri;           ///< the URI as written between < and > (or the bare addr-spec)
  Params params;             ///< header parameters (tag, expires, q, ...), not URI parameters
  bool star = false;         ///< "Contact: *"
  bool angle = false;        ///< the URI was written in angle brackets

  std::string_view tag() const;
  std::string to_string() const;  ///< always in name-addr form with angle brackets
  bool operator==(const NameAddr& o) const {
    return display_name == o.display_name && uri == o.uri && params == o.params && star == o.star;
  }
};

struct CSeq {
  std::uint32_t number = 0;  ///< below 2**31 (RFC 3261 §8.1.1.5)
  std::string method;
  bool operator==(const CSeq& o) const { return number == o.number && method == o.method; }
};

/// Session-Expires (RFC 4028 §4): delta-seconds, optional refresher=uac|uas.
struct SessionExpires {
  std::uint32_t seconds = 0;
  std::string refresher;  ///< "uac", "uas" or empty
  Params params;          ///< every parameter, refresher included
};

/// Content-Type: type "/" subtype *(; param). type and subtype are lower-cased.
struct MediaType {
  std::string type;
  std::string subtype;
  Params params;
  bool is(std::string_view t, std::string_view s) const;
};

/// Content-Disposition: disp-type *(; param), e.g. "signal;handling=required".
struct Disposition {
  std::string type;  ///< lower-cased
  Params params;
};

Result<std::vector<Via>> parse_via_list(std::string_view value);
Result<NameAddr> parse_name_addr(std::string_view value, bool allow_star = false);
/// Comma-separated name-addr list (Contact, Route, Record-Route).
Result<std::vector<NameAddr>> parse_name_addr_list(std::string_view value, bool allow_star = false);
Result<CSeq> parse_cseq(std::string_view value);
/// Max-Forwards: 1*DIGIT, at most 255 (RFC 3261 §20.22 and RFC 4475 §3.1.2.4).
Result<int> parse_max_forwards(std::string_view value);
/// delta-seconds that must fit 32 bits (Min-SE, Session-Expires).
Result<std::uint32_t> parse_delta_seconds(std::string_view value);
Result<SessionExpires> parse_session_expires(std::string_view value);
Result<MediaType> parse_media_type(std::string_view value);
Result<Disposition> parse_disposition(std::string_view value);
/// Content-Length: 1*DIGIT (no sign, no list), bounded by SIZE_MAX.
Result<std::size_t> parse_content_length(std::string_view value);

/// Grammar checks that build nothing (the parser validates with these; same rules as parse_*).
bool valid_via_list(std::string_view value);
bool valid_name_addr(std::string_view value);
bool valid_name_addr_list(std::string_view value, bool allow_star);
bool valid_media_type(std::string_view value);
bool valid_disposition(std::string_view value);

/// Splits a comma-separated header value, respecting quoted strings and <...>. Empty elements
/// are an error (RFC 3261 §7.3.1: "#" lists have no empty items in SIP).
Result<std::vector<std::string_view>> split_list(std::string_view value);

/// token (RFC 3261 §25.1).
bool is_token(std::string_view s);
bool is_token_char(char c);
/// scheme ":" something, with the scheme made of ALPHA *(ALPHA / DIGIT / "+" / "-" / ".").
bool is_absolute_uri(std::string_view uri);
/// The scheme of an absolute URI, lower-cased ("sip", "sips", "tel", ...).
std::string uri_scheme(std::string_view uri);
/// ASCII case-insensitive comparison (header names, parameters).
using util::iequals;

}  // namespace rcc::sip
