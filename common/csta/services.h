#pragma once
// CSTA service requests and their positive responses, as uaCSTA (ECMA TR/87) and a CTI link carry
// them (docs/protocol.md).
//
// Every message is a plain struct: kElement is its root element name, fields() lists its children
// in the order ECMA-323 writes them. The codec (codec.h) drives fields() both ways, so the order
// here is the order on the wire. Enumerated values (systemStatus, forwardingType, ...) are kept as
// strings: editions and vendors add values, and the gateway passes them through.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csta/types.h"

namespace rcc::csta {

// --- system services -----------------------------------------------------------------------

/// Client -> gateway in the INVITE and every re-INVITE. `line` is Microsoft's private
/// <lcs:line> (extensions/privateData/private), the user's line URI from AD (docs/protocol.md).
struct RequestSystemStatus {
  static constexpr std::string_view kElement = "RequestSystemStatus";
  std::optional<std::string> line;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.private_line(s.line);
  }
};
/// `system_status`: normal, initializing, enabled, messagesLost, disabled, partiallyDisabled,
/// overloadImminent, overloadReached, overloadRelieved. The client proceeds only on "normal".
struct RequestSystemStatusResponse {
  static constexpr std::string_view kElement = "RequestSystemStatusResponse";
  std::string system_status = "normal";
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("systemStatus", s.system_status);
  }
};
/// Switch -> client status report, answered with SystemStatusResponse (docs/protocol.md).
struct SystemStatus {
  static constexpr std::string_view kElement = "SystemStatus";
  std::string system_status = "normal";
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("systemStatus", s.system_status);
  }
};
struct SystemStatusResponse {
  static constexpr std::string_view kElement = "SystemStatusResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

/// Capability exchange; carries the same <lcs:line> as RequestSystemStatus (docs/protocol.md).
struct GetCSTAFeatures {
  static constexpr std::string_view kElement = "GetCSTAFeatures";
  std::optional<std::string> line;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.private_line(s.line);
  }
};
/// One named-bit-string group of GetCSTAFeaturesResponse (e.g. callControlServ) and its flags.
struct FeatureGroup {
  struct Feature {
    std::string name;
    bool supported = false;
  };
  std::string name;
  std::vector<Feature> features;
};
/// ECMA-323 maps each ASN.1 named bit string to an element with one boolean child per bit.
struct GetCSTAFeaturesResponse {
  static constexpr std::string_view kElement = "GetCSTAFeaturesResponse";
  std::vector<FeatureGroup> supported_services;
  std::vector<FeatureGroup> supported_events;  ///< optional: written only when not empty
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.features("supportedServices", s.supported_services, Req::required);
    v.features("supportedEvents", s.supported_events, Req::optional);
  }
};

// --- monitoring and snapshot ----------------------------------------------------------------

/// `device_object`: the line URI exactly as configured (docs/protocol.md).
struct MonitorStart {
  static constexpr std::string_view kElement = "MonitorStart";
  std::string device_object;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.group("monitorObject", Req::required, [&](auto& w) { w("deviceObject", s.device_object); });
  }
};
struct MonitorStartResponse {
  static constexpr std::string_view kElement = "MonitorStartResponse";
  std::string monitor_cross_ref_id;
  std::optional<bool> monitor_existing_calls;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("monitorExistingCalls", s.monitor_existing_calls);
  }
};
struct MonitorStop {
  static constexpr std::string_view kElement = "MonitorStop";
  std::string monitor_cross_ref_id;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
  }
};
struct MonitorStopResponse {
  static constexpr std::string_view kElement = "MonitorStopResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

struct SnapshotDevice {
  static constexpr std::string_view kElement = "SnapshotDevice";
  std::string snapshot_object;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("snapshotObject", s.snapshot_object);
  }
};
/// One call at the snapshotted device (snapshotDeviceResponseInfo).
struct SnapshotCall {
  ConnectionId connection;
  std::string local_connection_state;  ///< null, initiated, alerting, connected, hold, ...
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("connectionIdentifier", s.connection);
    v.group("localCallState", Req::required, [&](auto& w) {
      w.group("compoundCallState", Req::required,
              [&](auto& x) { x("localConnectionState", s.local_connection_state); });
    });
  }
};
/// crossRefIDorSnapshotData is a choice: a serviceCrossRefID (data follows in events) or the
/// snapshotData itself, empty when the device is idle (docs/protocol.md).
struct SnapshotDeviceResponse {
  static constexpr std::string_view kElement = "SnapshotDeviceResponse";
  std::optional<std::string> service_cross_ref_id;
  std::vector<SnapshotCall> calls;  ///< ignored when service_cross_ref_id is set
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.group("crossRefIDorSnapshotData", Req::required, [&](auto& w) {
      w("serviceCrossRefID", s.service_cross_ref_id);
      if (!s.service_cross_ref_id) {
        w.list("snapshotData", "snapshotDeviceResponseInfo", s.calls, Req::required);
      }
    });
  }
};

// --- call control ----------------------------------------------------------------------------

/// `auto_originate`: doNotPrompt (Microsoft) or prompt (docs/protocol.md).
struct MakeCall {
  static constexpr std::string_view kElement = "MakeCall";
  std::string calling_device;
  std::string called_directory_number;
  std::optional<std::string> auto_originate;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("callingDevice", s.calling_device);
    v("calledDirectoryNumber", s.called_directory_number);
    v("autoOriginate", s.auto_originate);
  }
};
/// SIPE keeps the callID only if deviceID equals its line URI string: echo the request's text.
struct MakeCallResponse {
  static constexpr std::string_view kElement = "MakeCallResponse";
  ConnectionId calling_device;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("callingDevice", s.calling_device);
  }
};

struct AnswerCall {
  static constexpr std::string_view kElement = "AnswerCall";
  ConnectionId call_to_be_answered;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("callToBeAnswered", s.call_to_be_answered);
  }
};
struct AnswerCallResponse {
  static constexpr std::string_view kElement = "AnswerCallResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

struct ClearConnection {
  static constexpr std::string_view kElement = "ClearConnection";
  ConnectionId connection_to_be_cleared;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("connectionToBeCleared", s.connection_to_be_cleared);
  }
};
struct ClearConnectionResponse {
  static constexpr std::string_view kElement = "ClearConnectionResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

struct HoldCall {
  static constexpr std::string_view kElement = "HoldCall";
  ConnectionId call_to_be_held;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("callToBeHeld", s.call_to_be_held);
  }
};
struct HoldCallResponse {
  static constexpr std::string_view kElement = "HoldCallResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

struct RetrieveCall {
  static constexpr std::string_view kElement = "RetrieveCall";
  ConnectionId call_to_be_retrieved;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("callToBeRetrieved", s.call_to_be_retrieved);
  }
};
struct RetrieveCallResponse {
  static constexpr std::string_view kElement = "RetrieveCallResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

struct ConsultationCall {
  static constexpr std::string_view kElement = "ConsultationCall";
  ConnectionId existing_call;
  std::string consulted_device;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("existingCall", s.existing_call);
    v("consultedDevice", s.consulted_device);
  }
};
struct ConsultationCallResponse {
  static constexpr std::string_view kElement = "ConsultationCallResponse";
  ConnectionId initiated_call;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("initiatedCall", s.initiated_call);
  }
};

struct TransferCall {
  static constexpr std::string_view kElement = "TransferCall";
  ConnectionId held_call;
  ConnectionId active_call;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("heldCall", s.held_call);
    v("activeCall", s.active_call);
  }
};
struct TransferCallResponse {
  static constexpr std::string_view kElement = "TransferCallResponse";
  ConnectionId transferred_call;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("transferredCall", s.transferred_call);
  }
};

struct SingleStepTransferCall {
  static constexpr std::string_view kElement = "SingleStepTransferCall";
  ConnectionId active_call;
  std::string transferred_to;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("activeCall", s.active_call);
    v("transferredTo", s.transferred_to);
  }
};
struct SingleStepTransferCallResponse {
  static constexpr std::string_view kElement = "SingleStepTransferCallResponse";
  ConnectionId transferred_call;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("transferredCall", s.transferred_call);
  }
};

/// `new_destination` is read from the ECMA-323 plain form and from the <device> wrapper some
/// devices expect (docs/protocol.md); it is always written plain.
struct DeflectCall {
  static constexpr std::string_view kElement = "DeflectCall";
  ConnectionId call_to_be_diverted;
  std::string new_destination;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("callToBeDiverted", s.call_to_be_diverted);
    v.device_or_wrapped("newDestination", s.new_destination);
  }
};
struct DeflectCallResponse {
  static constexpr std::string_view kElement = "DeflectCallResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

struct ConferenceCall {
  static constexpr std::string_view kElement = "ConferenceCall";
  ConnectionId held_call;
  ConnectionId active_call;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("heldCall", s.held_call);
    v("activeCall", s.active_call);
  }
};
struct ConferenceCallResponse {
  static constexpr std::string_view kElement = "ConferenceCallResponse";
  ConnectionId conference_call;
  std::vector<ConnectionListItem> connections;  ///< written only when not empty
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("conferenceCall", s.conference_call);
    v.list("connections", "connectionListItem", s.connections, Req::optional);
  }
};

/// DTMF on a connection (docs/protocol.md).
/// Swap a held and an active call at one device: the active one is held, the held one
/// retrieved (ECMA-269 Alternate Call; Mitel MX-ONE lists "alternate" among its RCC services).
struct AlternateCall {
  static constexpr std::string_view kElement = "AlternateCall";
  ConnectionId held_call;
  ConnectionId active_call;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("heldCall", s.held_call);
    v("activeCall", s.active_call);
  }
};
struct AlternateCallResponse {
  static constexpr std::string_view kElement = "AlternateCallResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

/// Clear the active call and retrieve the held one (ECMA-269 Reconnect Call).
struct ReconnectCall {
  static constexpr std::string_view kElement = "ReconnectCall";
  ConnectionId held_call;
  ConnectionId active_call;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("heldCall", s.held_call);
    v("activeCall", s.active_call);
  }
};
struct ReconnectCallResponse {
  static constexpr std::string_view kElement = "ReconnectCallResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

struct GenerateDigits {
  static constexpr std::string_view kElement = "GenerateDigits";
  ConnectionId connection_to_send_digits;
  std::string characters_to_send;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("connectionToSendDigits", s.connection_to_send_digits);
    v("charactersToSend", s.characters_to_send);
  }
};
struct GenerateDigitsResponse {
  static constexpr std::string_view kElement = "GenerateDigitsResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

// --- logical device features: forwarding and do-not-disturb ------------------------------------

/// `forwarding_type`: forwardImmediate, forwardBusy, forwardNoAns, forwardDND, ...Int, ...Ext.
struct SetForwarding {
  static constexpr std::string_view kElement = "SetForwarding";
  std::string device;
  std::string forwarding_type;
  bool activate_forward = false;
  std::optional<std::string> forward_dn;
  std::optional<unsigned> ring_count;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("device", s.device);
    v("forwardingType", s.forwarding_type);
    v("activateForward", s.activate_forward);
    v("forwardDN", s.forward_dn);
    v("ringCount", s.ring_count);
  }
};
struct SetForwardingResponse {
  static constexpr std::string_view kElement = "SetForwardingResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

struct GetForwarding {
  static constexpr std::string_view kElement = "GetForwarding";
  std::string device;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("device", s.device);
  }
};
struct ForwardListItem {
  std::string forwarding_type;
  bool forward_status = false;
  std::optional<std::string> forward_dn;
  std::optional<unsigned> ring_count;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("forwardingType", s.forwarding_type);
    v("forwardStatus", s.forward_status);
    v("forwardDN", s.forward_dn);
    v("ringCount", s.ring_count);
  }
};
struct GetForwardingResponse {
  static constexpr std::string_view kElement = "GetForwardingResponse";
  std::vector<ForwardListItem> forwarding_list;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.list("forwardingList", "forwardListItem", s.forwarding_list, Req::required);
  }
};

struct SetDoNotDisturb {
  static constexpr std::string_view kElement = "SetDoNotDisturb";
  std::string device;
  bool do_not_disturb_on = false;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("device", s.device);
    v("doNotDisturbOn", s.do_not_disturb_on);
  }
};
struct SetDoNotDisturbResponse {
  static constexpr std::string_view kElement = "SetDoNotDisturbResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};

struct GetDoNotDisturb {
  static constexpr std::string_view kElement = "GetDoNotDisturb";
  std::string device;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("device", s.device);
  }
};
struct GetDoNotDisturbResponse {
  static constexpr std::string_view kElement = "GetDoNotDisturbResponse";
  bool do_not_disturb_on = false;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("doNotDisturbOn", s.do_not_disturb_on);
  }
};

// --- negative response --------------------------------------------------------------------------

/// <CSTAErrorCode><category>value</category></CSTAErrorCode>: exactly one category child
/// (operation, security, stateIncompatibility, systemResourceAvailability,
/// subscribedResourceAvailability, performanceManagement, privateData, unspecified) whose text
/// is the value (docs/protocol.md).
struct CSTAErrorCode {
  static constexpr std::string_view kElement = "CSTAErrorCode";
  std::string category = "operation";
  std::string value = "generic";
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.choice_text(s.category, s.value);
  }
};

}  // namespace rcc::csta
