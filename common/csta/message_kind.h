#pragma once
// What a CSTA or ECMA-354 message is, told from its root element's name alone: a request, a
// response, or an event. Where frames carry no invoke ID (NUL-terminated framing on the CTI
// link, docs/protocol.md) the name is all that tells a response from an event, and which request
// a response can answer.
//
//   message_kind("DeliveredEvent") == MessageKind::event
//   can_answer("MakeCall", "MakeCallResponse") && can_answer("MakeCall", "CSTAErrorCode")
//
// The rules follow ECMA-323 and ECMA-354 naming, so they also hold for messages the codec does
// not model (a vendor's event, a response the codec cannot read).

#include <string>
#include <string_view>

#include "csta/xml.h"
#include "diag/error.h"

namespace rcc::csta {

enum class MessageKind {
  request,   ///< anything else: a service request, in either direction (SystemStatus, MakeCall)
  response,  ///< "...Response" (Pos/Neg responses included) and CSTAErrorCode
  event,     ///< "...Event", and ApplicationSessionTerminated (ECMA-354's one event)
};

MessageKind message_kind(std::string_view element);

/// Whether `response` can be the answer to `request`: "<request>Response",
/// "<request>PosResponse", "<request>NegResponse", or CSTAErrorCode (the negative answer to any
/// service request).
bool can_answer(std::string_view request, std::string_view response);

/// The local name of the document's root element, for a body decode() refused as a message but
/// that is well-formed XML. Errors: those of parse_xml().
Result<std::string> root_element_name(std::string_view xml, const Limits& limits = {});

}  // namespace rcc::csta
