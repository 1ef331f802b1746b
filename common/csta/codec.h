#pragma once
// The CSTA XML codec: one body (a SIP application/csta+xml body, or the XML of one CTI frame)
// to a typed message and back.
//
//   auto m = csta::decode(body);                 // Result<Message>
//   if (!m) answer_400(m.error());               // malformed, hostile, unknown: see csta::Errc
//   if (auto* mc = std::get_if<csta::MakeCall>(&m->body)) {
//     auto r = csta::answer(*m, csta::MakeCallResponse{{"17", mc->calling_device}});
//     send(csta::encode(r));                     // same edition as the request (Message::ns)
//   }
//
// Representation: Message is a tagged value, `ns` (the ECMA-323 edition the peer used) plus `body`,
// a std::variant over every typed message (services.h, events.h, session.h). std::visit or
// std::get_if picks the type; Body's index order carries no meaning.
//
// Decoding takes the whole body at once: SIP hands over a complete body (Content-Length) and the
// CTI framer a complete frame, so there is no incremental feed() here; a truncated body is
// malformed XML. Messages are matched by the root element's local name; its namespace must be an
// ECMA-323 ed3/ed4/ed5 URI (ECMA-354 for application-session messages). Children are found by
// local name in any order; unknown children and attributes are ignored (vendors add private
// ones), so a decode/encode round trip drops them. Required children that are missing give
// Errc::missing_field, booleans/numbers/choices out of range Errc::invalid_value.
//
// Encoding writes compact, deterministic XML: children in ECMA-323 order, no whitespace, empty
// elements as <x/>, the default namespace on the root, Microsoft's extension as
// <lcs:line xmlns:lcs="...">. Same message, same bytes.

#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "csta/events.h"
#include "csta/services.h"
#include "csta/session.h"
#include "csta/types.h"
#include "csta/xml.h"
#include "diag/error.h"

namespace rcc::csta {

using Body = std::variant<
    // system and capability exchange
    RequestSystemStatus, RequestSystemStatusResponse, SystemStatus, SystemStatusResponse,
    GetCSTAFeatures, GetCSTAFeaturesResponse,
    // monitoring, snapshot
    MonitorStart, MonitorStartResponse, MonitorStop, MonitorStopResponse, SnapshotDevice,
    SnapshotDeviceResponse,
    // call control
    MakeCall, MakeCallResponse, AnswerCall, AnswerCallResponse, ClearConnection,
    ClearConnectionResponse, HoldCall, HoldCallResponse, RetrieveCall, RetrieveCallResponse,
    ConsultationCall, ConsultationCallResponse, TransferCall, TransferCallResponse,
    SingleStepTransferCall, SingleStepTransferCallResponse, DeflectCall, DeflectCallResponse,
    ConferenceCall, ConferenceCallResponse, AlternateCall, AlternateCallResponse, ReconnectCall,
    ReconnectCallResponse, GenerateDigits, GenerateDigitsResponse,
    // logical device features
    SetForwarding, SetForwardingResponse, GetForwarding, GetForwardingResponse, SetDoNotDisturb,
    SetDoNotDisturbResponse, GetDoNotDisturb, GetDoNotDisturbResponse,
    // negative response
    CSTAErrorCode,
    // events
    ServiceInitiatedEvent, OriginatedEvent, DeliveredEvent, EstablishedEvent,
    ConnectionClearedEvent, CallClearedEvent, HeldEvent, RetrievedEvent, TransferedEvent,
    DivertedEvent, ConferencedEvent, FailedEvent, ForwardingEvent, DoNotDisturbEvent,
    MonitorEndedEvent,
    // ECMA-354 application sessions (CTI link)
    StartApplicationSession, StartApplicationSessionPosResponse, StartApplicationSessionNegResponse,
    ResetApplicationSessionTimer, ResetApplicationSessionTimerPosResponse,
    ResetApplicationSessionTimerNegResponse, StopApplicationSession,
    StopApplicationSessionPosResponse, StopApplicationSessionNegResponse,
    ApplicationSessionTerminated>;

struct Message {
  /// The ECMA-323 edition of a decoded CSTA message; the edition to write for encode(Message).
  /// Application-session messages always use the ECMA-354 namespace and ignore it.
  Namespace ns = Namespace::ed3;
  Body body;
};

/// A response or event for `request`, in the request's edition (docs/protocol.md: answer in the
/// namespace of the request).
inline Message answer(const Message& request, Body body) {
  return {request.ns, std::move(body)};
}

struct EncodeOptions {
  /// Start with <?xml version="1.0" encoding="UTF-8"?> (docs/protocol.md recommends it for SIP;
  /// the CTI link may leave it out).
  bool xml_declaration = true;
};

/// Parses one CSTA / ECMA-354 XML document within `limits`.
Result<Message> decode(std::string_view xml, const Limits& limits = {});

struct DecodeOptions {
  /// Accept what real switches write (the CTI link sets it): a root element without a namespace
  /// and the old ECMA-323 ed2 namespace, both read as ed3. Prefixed elements are always fine
  /// (elements are matched by local name).
  bool lenient_namespace = false;
};
Result<Message> decode(std::string_view xml, const Limits& limits, const DecodeOptions& options);

/// Writes `m.body` in namespace `ns` (answer in the request's edition: encode(resp, req.ns)).
std::string encode(const Message& m, Namespace ns, const EncodeOptions& options = {});
/// Writes `m.body` in `m.ns`.
std::string encode(const Message& m, const EncodeOptions& options = {});

/// The root element name of a body ("MakeCall", "DeliveredEvent", ...), for logs.
std::string_view element_name(const Body& body);

}  // namespace rcc::csta
