#pragma once
// The simulated CTI manager's call model, without I/O: devices (directory numbers) from the
// directory file, calls and their connections, monitors, forwarding and do-not-disturb.
//
// Every request or control action appends its output to `out` in wire order: first the response
// to the requesting session (docs/protocol.md: response before the events it causes), then the
// events, each addressed to one monitor. An event goes to every monitor of every device in the
// call; its localConnectionInfo is the monitored device's own connection state (null when it
// is not in the call, or no longer). Sequences and choices: man rcc-ctisim(1), CALL MODEL.
//
// Devices are directory numbers. A DN the directory knows is internal (monitorable, callable,
// "reachable" when one of its devices is registered); any other number is an external far end,
// which the control channel answers or hangs up. A device can also be named (its name in the
// directory, e.g. SEP0002FD3BB5C5) where a shared line needs one: SnapshotDevice (registered or
// not, per device), MakeCall's callingDevice, AnswerCall's connection, the control channel's
// answer; connections stay on the DN, and on a shared line EstablishedEvent's answeringDevice
// names the device that answered.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "csta/codec.h"
#include "directory/directory.h"

namespace rcc::ctisim {

using SessionId = std::uint64_t;

struct Out {
  SessionId session = 0;
  int invoke_id = 0;  ///< the request's, or 9999 for events
  csta::Body body;
};

class World {
 public:
  explicit World(const directory::Directory& directory);

  /// Handles one CSTA request (not a session message) from `session`.
  void handle(SessionId session, int invoke_id, const csta::Body& request, std::vector<Out>& out);
  /// Forgets a session's monitors (session stopped, expired or its link dropped).
  void drop_session(SessionId session);

  // --- the control channel's world ---
  /// A call from `from` (external number or DN) to the DN `to`.
  Result<std::string> incoming_call(const std::string& from, const std::string& to,
                                    std::vector<Out>& out);
  /// `device` answers its alerting call (a far end, or a phone picked up by hand).
  Result<void> answer(const std::string& device, std::vector<Out>& out);
  /// `device` hangs up its first call.
  Result<void> hangup(const std::string& device, std::vector<Out>& out);
  Result<void> set_registered(const std::string& device_name, bool registered);

  std::size_t call_count() const { return calls_.size(); }
  std::size_t monitor_count() const { return monitors_.size(); }
  /// MonitorStops answered positively since the start (a client that stops cleanly).
  std::uint64_t monitor_stops() const { return monitor_stops_; }

 private:
  struct Party {
    std::string device;
    std::string state;  ///< initiated, alerting, connected, hold, fail
    /// The device (by name) acting for a shared line's DN: the one that answered or
    /// originated; empty while every device of the line rings, or on a line of one device.
    std::string phone;
  };
  struct Call {
    std::string id;
    std::string calling;
    std::string called;
    std::vector<Party> parties;
    Party* party(const std::string& device);
  };
  struct Monitor {
    SessionId session;
    std::string device;
  };
  struct Features {
    bool dnd = false;
    std::map<std::string, std::pair<bool, std::string>> forwards;  ///< type -> (on, dn)
  };

  bool internal(const std::string& dn) const;
  bool registered(const directory::Device& d) const;  ///< the directory's flag or the override
  bool reachable(const std::string& dn) const;
  bool shared(const std::string& dn) const;  ///< more than one device carries the DN
  /// The device `name` names when it is a device name (not a DN) with a line; else null.
  const directory::Device* phone(const std::string& name) const;
  std::string first_registered(const std::string& dn) const;
  std::string new_call_id();
  Call* find_call(const std::string& id);
  /// Sends `make(crossref, lci)` to every monitor of every party of `call` (and of `extra`).
  template <class Make>
  void emit(const Call& call, std::vector<Out>& out, Make&& make,
            const std::vector<std::string>& extra = {});
  template <class Make>
  void emit_device(const std::string& device, std::vector<Out>& out, Make&& make);
  /// Rings `to` in `call` (forwarding, DND, busy applied); `redirected_from` for deflect.
  void deliver(Call& call, const std::string& to, const std::string& cause,
               const std::string& redirected_from, std::vector<Out>& out);
  void originate(Call& call, const std::string& from, const std::string& cause,
                 std::vector<Out>& out);
  void clear_party(Call& call, std::string device, std::vector<Out>& out);
  void erase_call(std::string id);  // by value: callers pass the call's own id

  // services
  csta::Body make_call(const csta::MakeCall& r, std::vector<Out>& events);
  csta::Body answer_call(const csta::AnswerCall& r, std::vector<Out>& events);
  csta::Body clear_connection(const csta::ClearConnection& r, std::vector<Out>& events);
  csta::Body hold_call(const csta::HoldCall& r, std::vector<Out>& events);
  csta::Body retrieve_call(const csta::RetrieveCall& r, std::vector<Out>& events);
  csta::Body consultation_call(const csta::ConsultationCall& r, std::vector<Out>& events);
  csta::Body transfer_call(const csta::TransferCall& r, std::vector<Out>& events);
  csta::Body conference_call(const csta::ConferenceCall& r, std::vector<Out>& events);
  csta::Body alternate_call(const csta::AlternateCall& r, std::vector<Out>& events);
  csta::Body reconnect_call(const csta::ReconnectCall& r, std::vector<Out>& events);
  std::optional<csta::CSTAErrorCode> check_pair(const csta::ConnectionId& held,
                                                const csta::ConnectionId& active);
  csta::Body single_step_transfer(const csta::SingleStepTransferCall& r, std::vector<Out>& events);
  csta::Body deflect_call(const csta::DeflectCall& r, std::vector<Out>& events);
  csta::Body set_forwarding(const csta::SetForwarding& r, std::vector<Out>& events);
  csta::Body set_dnd(const csta::SetDoNotDisturb& r, std::vector<Out>& events);
  csta::Body snapshot(const csta::SnapshotDevice& r) const;
  /// The call and party a ConnectionID names, or the CSTAErrorCode for it (docs/protocol.md).
  std::optional<csta::CSTAErrorCode> locate(const csta::ConnectionId& c, Call** call,
                                            Party** party);

  const directory::Directory& directory_;
  std::map<std::string, std::string> registered_override_;  ///< device name -> "1"/"0"
  std::map<std::string, Call> calls_;
  void add_monitor(const std::string& xref, SessionId session, const std::string& device);
  void remove_monitor(const std::string& xref);

  std::map<std::string, Monitor> monitors_;  ///< crossRefID -> monitor
  std::uint64_t monitor_stops_ = 0;
  /// Indexes of monitors_: an event finds its monitors without visiting every one.
  std::map<std::string, std::set<std::string>> monitors_by_device_;
  std::map<SessionId, std::set<std::string>> monitors_by_session_;
  /// (session, device) -> its crossRefID: a repeated MonitorStart is found without a scan.
  std::map<std::pair<SessionId, std::string>, std::string> monitor_of_;
  std::map<std::string, Features> features_;
  std::uint64_t next_call_ = 1;
  std::uint64_t next_monitor_ = 1;
};

}  // namespace rcc::ctisim
