#pragma once
// CSTA events (switch/gateway -> client), docs/protocol.md, "Events".
//
// Every event starts with monitorCrossRefID (the client drops events whose ID is not its own).
// The connection the event is about and the device that caused it are required; the other
// devices, localConnectionInfo and cause are optional because switches differ in what they send.
// localConnectionInfo: null, initiated, alerting, connected, hold, queued, fail.
// cause: newCall, makeCall, normal, normalClearing, transfer, singleStepTransfer, conference,
// consultation, redirected, busy, callCancelled, destNotObtainable, ... (kept as strings).

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csta/types.h"

namespace rcc::csta {

struct ServiceInitiatedEvent {
  static constexpr std::string_view kElement = "ServiceInitiatedEvent";
  std::string monitor_cross_ref_id;
  ConnectionId initiated_connection;
  DeviceRef initiating_device;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("initiatedConnection", s.initiated_connection);
    v("initiatingDevice", s.initiating_device);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

struct OriginatedEvent {
  static constexpr std::string_view kElement = "OriginatedEvent";
  std::string monitor_cross_ref_id;
  ConnectionId originated_connection;
  DeviceRef calling_device;
  std::optional<DeviceRef> called_device;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("originatedConnection", s.originated_connection);
    v("callingDevice", s.calling_device);
    v("calledDevice", s.called_device);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

/// Ringing: at our device (localConnectionInfo alerting) or at the far end (connected).
struct DeliveredEvent {
  static constexpr std::string_view kElement = "DeliveredEvent";
  std::string monitor_cross_ref_id;
  ConnectionId connection;
  DeviceRef alerting_device;
  std::optional<DeviceRef> calling_device;
  std::optional<DeviceRef> called_device;
  std::optional<DeviceRef> last_redirection_device;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("connection", s.connection);
    v("alertingDevice", s.alerting_device);
    v("callingDevice", s.calling_device);
    v("calledDevice", s.called_device);
    v("lastRedirectionDevice", s.last_redirection_device);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

struct EstablishedEvent {
  static constexpr std::string_view kElement = "EstablishedEvent";
  std::string monitor_cross_ref_id;
  ConnectionId established_connection;
  DeviceRef answering_device;
  std::optional<DeviceRef> calling_device;
  std::optional<DeviceRef> called_device;
  std::optional<DeviceRef> last_redirection_device;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("establishedConnection", s.established_connection);
    v("answeringDevice", s.answering_device);
    v("callingDevice", s.calling_device);
    v("calledDevice", s.called_device);
    v("lastRedirectionDevice", s.last_redirection_device);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

struct ConnectionClearedEvent {
  static constexpr std::string_view kElement = "ConnectionClearedEvent";
  std::string monitor_cross_ref_id;
  ConnectionId dropped_connection;
  DeviceRef releasing_device;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("droppedConnection", s.dropped_connection);
    v("releasingDevice", s.releasing_device);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

/// The whole call is gone (some switches send this instead of a second ConnectionCleared).
struct CallClearedEvent {
  static constexpr std::string_view kElement = "CallClearedEvent";
  std::string monitor_cross_ref_id;
  ConnectionId cleared_call;  ///< usually only the callID
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("clearedCall", s.cleared_call);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

struct HeldEvent {
  static constexpr std::string_view kElement = "HeldEvent";
  std::string monitor_cross_ref_id;
  ConnectionId held_connection;
  DeviceRef holding_device;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("heldConnection", s.held_connection);
    v("holdingDevice", s.holding_device);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

struct RetrievedEvent {
  static constexpr std::string_view kElement = "RetrievedEvent";
  std::string monitor_cross_ref_id;
  ConnectionId retrieved_connection;
  DeviceRef retrieving_device;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("retrievedConnection", s.retrieved_connection);
    v("retrievingDevice", s.retrieving_device);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

/// ECMA-323 spells the element with one 'r'; the decoder also accepts "TransferredEvent"
/// (docs/protocol.md) and the encoder always writes "TransferedEvent".
struct TransferedEvent {
  static constexpr std::string_view kElement = "TransferedEvent";
  std::string monitor_cross_ref_id;
  ConnectionId primary_old_call;
  std::optional<ConnectionId> secondary_old_call;
  DeviceRef transferring_device;
  std::optional<DeviceRef> transferred_to_device;
  std::vector<ConnectionListItem> transferred_connections;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("primaryOldCall", s.primary_old_call);
    v("secondaryOldCall", s.secondary_old_call);
    v("transferringDevice", s.transferring_device);
    v("transferredToDevice", s.transferred_to_device);
    v.list("transferredConnections", "connectionListItem", s.transferred_connections,
           Req::optional);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

/// A ringing call sent elsewhere (deflect, forwarding). `new_destination` is an event device.
struct DivertedEvent {
  static constexpr std::string_view kElement = "DivertedEvent";
  std::string monitor_cross_ref_id;
  ConnectionId connection;
  DeviceRef diverting_device;
  std::optional<DeviceRef> new_destination;
  std::optional<DeviceRef> calling_device;
  std::optional<DeviceRef> called_device;
  std::optional<DeviceRef> last_redirection_device;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("connection", s.connection);
    v("divertingDevice", s.diverting_device);
    v("newDestination", s.new_destination);
    v("callingDevice", s.calling_device);
    v("calledDevice", s.called_device);
    v("lastRedirectionDevice", s.last_redirection_device);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

struct ConferencedEvent {
  static constexpr std::string_view kElement = "ConferencedEvent";
  std::string monitor_cross_ref_id;
  ConnectionId primary_old_call;
  std::optional<ConnectionId> secondary_old_call;
  DeviceRef conferencing_device;
  std::optional<DeviceRef> added_party;
  std::vector<ConnectionListItem> conference_connections;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("primaryOldCall", s.primary_old_call);
    v("secondaryOldCall", s.secondary_old_call);
    v("conferencingDevice", s.conferencing_device);
    v("addedParty", s.added_party);
    v.list("conferenceConnections", "connectionListItem", s.conference_connections, Req::optional);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

/// Busy, unreachable, not answered: the caller's leg stays until cleared.
struct FailedEvent {
  static constexpr std::string_view kElement = "FailedEvent";
  std::string monitor_cross_ref_id;
  ConnectionId failed_connection;
  DeviceRef failing_device;
  std::optional<DeviceRef> calling_device;
  std::optional<DeviceRef> called_device;
  std::optional<DeviceRef> last_redirection_device;
  std::optional<std::string> local_connection_info;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("failedConnection", s.failed_connection);
    v("failingDevice", s.failing_device);
    v("callingDevice", s.calling_device);
    v("calledDevice", s.called_device);
    v("lastRedirectionDevice", s.last_redirection_device);
    v("localConnectionInfo", s.local_connection_info);
    v("cause", s.cause);
  }
};

struct ForwardingEvent {
  static constexpr std::string_view kElement = "ForwardingEvent";
  std::string monitor_cross_ref_id;
  DeviceRef device;
  std::string forwarding_type;
  bool forward_status = false;
  std::optional<std::string> forward_to;
  std::optional<unsigned> ring_count;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("device", s.device);
    v("forwardingType", s.forwarding_type);
    v("forwardStatus", s.forward_status);
    v("forwardTo", s.forward_to);
    v("ringCount", s.ring_count);
  }
};

struct DoNotDisturbEvent {
  static constexpr std::string_view kElement = "DoNotDisturbEvent";
  std::string monitor_cross_ref_id;
  DeviceRef device;
  bool do_not_disturb_on = false;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("device", s.device);
    v("doNotDisturbOn", s.do_not_disturb_on);
  }
};

/// The switch ended a monitor itself (docs/protocol.md).
struct MonitorEndedEvent {
  static constexpr std::string_view kElement = "MonitorEndedEvent";
  std::string monitor_cross_ref_id;
  std::optional<std::string> cause;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("monitorCrossRefID", s.monitor_cross_ref_id);
    v("cause", s.cause);
  }
};

}  // namespace rcc::csta
