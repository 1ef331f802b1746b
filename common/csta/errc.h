#pragma once
// rcc::csta::Errc: every way a CSTA XML body or a line URI can be refused.
//
// One enum for the area (the house style). Each enumerator says when it is returned; the detail
// text of the rcc::Error carries the element, parameter or libxml2 message involved.

#include <system_error>

namespace rcc::csta {

enum class Errc {
  // --- XML layer (xml.h) ---
  too_large = 1,    ///< the document is larger than Limits::max_document_bytes
  too_deep,         ///< elements nest deeper than Limits::max_depth
  doctype_refused,  ///< the document has a DOCTYPE (DTDs, entity declarations: XXE, bombs)
  malformed_xml,    ///< not well-formed XML (includes empty and truncated documents)
  // --- CSTA layer (codec.h) ---
  unknown_namespace,  ///< the root element's namespace is not ECMA-323 ed3/ed4/ed5 (or ECMA-354
                      ///< for application-session messages), or is missing
  unknown_message,    ///< the root element names no message this codec knows
  missing_field,      ///< a required child element is absent (or a ConnectionID is empty)
  invalid_value,      ///< a boolean, number or choice has a value outside its type
  // --- line URIs and device identifiers (line_uri.h) ---
  bad_scheme,               ///< neither tel:, sip: nor sips:
  bad_number,               ///< the tel number (or sip user part) breaks RFC 3966 §3 syntax
  bad_parameter,            ///< a ";name=value" part breaks RFC 3966 §3 syntax (or bad sip host)
  bad_percent_encoding,     ///< '%' not followed by two hex digits, or it decodes to a control
                            ///< character or invalid UTF-8
  duplicate_parameter,      ///< the same parameter name twice (names compare case-insensitively)
  missing_phone_context,    ///< a local number without phone-context (RFC 3966 §5.1.5)
  phone_context_on_global,  ///< phone-context on a global ('+') number, which RFC 3966 forbids
};

const std::error_category& csta_category();
std::error_code make_error_code(Errc e);

}  // namespace rcc::csta

template <>
struct std::is_error_code_enum<rcc::csta::Errc> : std::true_type {};
