#pragma once
// Line URIs and device identifiers: tel: URIs (RFC 3966) and sip:/sips: URIs (RFC 3261).
//
// The gateway's line URI, from AD's msRTCSIP-Line (docs/protocol.md):
//   tel:<DN>;phone-context=dialstring[;device=<NAME>][;partition=<NAME>]
//   tel:+<E.164>[;ext=<EXT>]
// and the same selectors on a sip: device identifier, in the URI parameters or, for
// user=phone URIs, in the user part (sip:73124;phone-context=dialstring@pbx.example.com).
//
// RFC 3966 rules applied: parameter names are case-insensitive (stored in lower case) and may
// appear only once; values are percent-decoded (a decoded control character or invalid UTF-8 is
// refused); a global number starts with '+' and must not carry phone-context (§5.1.5, and Lync
// refuses it: docs/protocol.md); a local number must carry one. Visual separators (-.()) are kept
// in `number` as written; digits() drops them for comparisons (§5.1.1). Parameter order is kept so
// that to_string() gives back the input for canonical input (lower-case scheme and names,
// percent-encoding only where needed, upper-case hex).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csta/errc.h"
#include "diag/error.h"

namespace rcc::csta {

struct UriParameter {
  std::string name;   ///< lower case
  std::string value;  ///< percent-decoded; empty when the parameter has no "=value"
  bool has_value = false;
};

struct LineUri {
  enum class Scheme { tel, sip, sips };
  Scheme scheme = Scheme::tel;
  /// tel: the telephone-subscriber number as written. sip: the user part, percent-decoded, up to
  /// its first ';'.
  std::string number;
  /// tel: the URI's parameters. sip: the parameters of the user part (user=phone style).
  std::vector<UriParameter> params;
  // sip:/sips: only
  std::string host;                      ///< as written
  std::optional<unsigned> port;          ///< 1..65535
  std::vector<UriParameter> uri_params;  ///< after the host part

  bool is_global() const { return !number.empty() && number.front() == '+'; }
  /// The value of a parameter (user-part parameters first, then URI parameters); nullopt when
  /// absent. `name` must be lower case.
  std::optional<std::string_view> param(std::string_view name) const;
  std::optional<std::string_view> phone_context() const { return param("phone-context"); }
  std::optional<std::string_view> device() const { return param("device"); }
  std::optional<std::string_view> partition() const { return param("partition"); }
  std::optional<std::string_view> extension() const { return param("ext"); }
  /// `number` without visual separators.
  std::string digits() const;
};

/// Parses a tel:, sip: or sips: URI. Errors: bad_scheme, bad_number, bad_parameter,
/// bad_percent_encoding, duplicate_parameter, missing_phone_context, phone_context_on_global.
Result<LineUri> parse_line_uri(std::string_view text);

/// The URI as text; parse_line_uri(to_string(u)) gives `u` back.
std::string to_string(const LineUri& uri);

/// Whether two URIs name the same line (docs/protocol.md: compare number, device and partition, not
/// the string): same digits, same phone-context (case-insensitive), same device and partition
/// (case-insensitive; absent equals absent only).
bool same_line(const LineUri& a, const LineUri& b);

}  // namespace rcc::csta
