#pragma once
// The uaCSTA gateway's session logic: SIP dialogs from OCS/Lync on one side, CSTA requests and
// events on CTI nodes on the other. No I/O: the SIP side is a sip::DialogLayer (answers, event
// INFOs, BYE), the CTI side a CtiSide (the NodePool in rcc-gatewayd, a script in the fuzz
// target). Behaviour: docs/protocol.md and man rcc-gatewayd(8).
//
//   sign-in   INVITE + RequestSystemStatus -> user lookup, line, device selection, node placement
//             (and, when the choice depends on registration, SnapshotDevice per device on that
//             node, the directory's flag where it cannot tell) -> 200 +
//             RequestSystemStatusResponse (or the refusal's status and one log line)
//   shared    on a line of several devices, MakeCall and AnswerCall name the session's device;
//             two that both ring: the one an EstablishedEvent names as answering binds it
//   requests  INFO + CSTA request -> checked to be this session's own line, calls and monitor ->
//             IDs mapped to the node's -> CtiSide::request -> answer mapped back, in the 200
//   events    CtiSide event -> sessions monitoring it -> IDs mapped -> INFO, one at a time per
//             dialog (the dialog layer queues)
//   failover  node lost: transparent (monitor moved to a live node, same client IDs) or reinvite
//             (the next request gets 481 and the client signs in again)
//
// Identifiers: the client sees monitorCrossRefIDs and callIDs issued here, device IDs as its line
// URI; the node's never leak. A request naming a call, connection, monitor or device that is not
// this session's is answered with a CSTAErrorCode and logged.
// Threading: one strand (the io_context thread) calls everything.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "csta/codec.h"
#include "directory/directory.h"
#include "directory/user_source.h"
#include "rcc/device_selection.h"
#include "rcc/session.h"
#include "rcc/user_lookup.h"
#include "sip/dialog.h"
#include "util/histogram.h"

namespace rcc::gateway {

/// What the gateway needs of the CTI side.
class CtiSide {
 public:
  using Reply = std::function<void(Result<csta::Message>)>;
  virtual ~CtiSide() = default;
  /// The node for a new session (round robin over those up), or an error when none is up.
  virtual Result<std::size_t> place() = 0;
  virtual bool up(std::size_t node) const = 0;
  /// `reply` exactly once: the response (a CSTAErrorCode is a response), or an error.
  virtual void request(std::size_t node, csta::Body body, Reply reply) = 0;
  /// A new sign-in's first MonitorStart: sent after the signed-in users' requests waiting on the
  /// node (NodePool's later lane). By default the same as request().
  virtual void request_for_sign_in(std::size_t node, csta::Body body, Reply reply) {
    request(node, std::move(body), std::move(reply));
  }
  /// Requests waiting on the node, for the sign-in admission (Settings::max_cti_backlog).
  virtual std::size_t backlog(std::size_t) const { return 0; }
  /// "host:port" of a node, for log lines.
  virtual std::string name(std::size_t node) const = 0;
};

enum class Failover { transparent, reinvite };

struct Settings {
  ServerMode mode = ServerMode::ocs;
  Failover failover = Failover::transparent;
  std::uint32_t retry_after = 30;  ///< seconds, on 503 (spread by up to a third)
  /// A new sign-in is refused (503 + Retry-After, reason overloaded) while this many requests
  /// wait on its node: a storm waits at the clients, not in the gateway's memory. 0: no limit.
  std::size_t max_cti_backlog = 0;
  /// Optional number rules (rules/rule_set.h, wired by the daemon): a called number from the
  /// client to the dial string the call manager expects (outbound), a calling number in an event
  /// to the form the client matches against contacts (inbound). nullopt: leave it as it is.
  std::function<std::optional<std::string>(std::string_view)> outbound_number;
  std::function<std::optional<std::string>(std::string_view)> inbound_number;
  /// Wall clock (unix seconds) for the session table; tests may fix it.
  std::function<std::int64_t()> now;
};

/// Counters for logs, /metrics and the benchmarks.
struct Counters {
  std::uint64_t sign_ins = 0;
  std::uint64_t refusals = 0;
  std::map<Refusal, std::uint64_t> refusals_by_reason;
  /// Answered client requests by (service, result): result "ok", or "error" for a
  /// CSTAErrorCode (the gateway's own refusals included).
  std::map<std::pair<std::string, std::string>, std::uint64_t> answers;
  /// From the INFO's arrival to its answer, seconds.
  util::Histogram round_trip;
  std::uint64_t requests = 0;
  std::uint64_t request_errors = 0;
  std::uint64_t events = 0;
  std::uint64_t privilege_refusals = 0;
  std::uint64_t failovers = 0;
  std::uint64_t sign_outs = 0;  ///< sessions the client ended with BYE
};

class Gateway : public sip::DialogHandler {
 public:
  /// `devices`: the call manager's devices and lines; `users`: where RCC users are looked up
  /// (the directory file, or LDAP later), which may answer asynchronously.
  Gateway(const directory::Directory& devices, directory::UserSource& users, CtiSide& cti,
          Settings settings);
  ~Gateway() override;
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  /// The dialog layer to answer and send on (the Stack's; set before traffic arrives).
  void attach(sip::DialogLayer& dialogs) { dialogs_ = &dialogs; }

  /// From the CTI side.
  void on_event(std::size_t node, const csta::Message& event);
  void on_node_state(std::size_t node, bool up);

  /// A reload: new devices, user source and settings (the clock stays). Signed-in sessions keep
  /// their line and device; what they do next uses the new settings. Both references must
  /// outlive the gateway or the next reconfigure.
  void reconfigure(const directory::Directory& devices, directory::UserSource& users,
                   Settings settings);

  /// Shutdown: MonitorStop on the CTI side and BYE for every session.
  void end_all();

  const SessionTable& sessions() const { return sessions_; }
  const Counters& counters() const { return counters_; }

  // sip::DialogHandler
  void on_invite(const sip::Dialog& d, sip::TxnId txn, const sip::Message& invite) override;
  void on_info(const sip::Dialog& d, sip::TxnId txn, const sip::Message& info) override;
  void on_info_result(const sip::Dialog& d, std::uint64_t request, const sip::Message* response,
                      std::error_code error) override;
  void on_dialog_ended(const sip::Dialog& d, std::error_code why) override;

 private:
  struct Service;
  /// A sign-in waiting for the user source.
  struct SignIn {
    sip::DialogKey dialog = 0;
    sip::TxnId txn = 0;
    std::string call_id;
    std::string from_uri;
    std::string endpoint;  ///< From's epid, else the Contact: who replaces whose dialog
    csta::Message request;
  };
  void sign_in(const sip::Dialog& d, sip::TxnId txn, const sip::Message& invite,
               const csta::Message& request);
  void finish_sign_in(const SignIn& p, UserLookup found);
  /// A sign-in past its checks, placed on a node, whose device choice may wait for the node's
  /// answer to which devices are registered.
  struct Registration {
    std::optional<bool> registered;  ///< nullopt: the node could not tell (`problem` says why)
    std::string problem;
  };
  struct Placing {
    SignIn p;
    directory::User user;
    MatchedBy by = MatchedBy::user_id;
    csta::LineUri line;
    std::string line_text;
    std::size_t node = 0;
    std::set<std::string> asked;
    std::map<std::string, Registration> answers;  ///< by device name
    std::size_t waiting = 0;                      ///< SnapshotDevices not answered yet
    int rounds = 0;
  };
  /// Asks the placed node which of `devices` are registered, then decide().
  void ask_registration(const std::shared_ptr<Placing>& placing,
                        const std::vector<std::string>& devices);
  /// The device choice with the node's answers (the directory's flag where it had none).
  void decide(const std::shared_ptr<Placing>& placing);
  /// The session: added, logged, the INVITE answered 200.
  void admit(const Placing& placing, const DeviceChoice& choice);
  /// A re-INVITE in the session's dialog; `request` null when it had no body.
  void refresh(Session& s, sip::TxnId txn, const csta::Message* request);
  void refuse_invite(sip::TxnId txn, Refusal why, const std::string& user,
                     const std::string& detail, const std::string& call_id);
  void handle_request(SessionId id, sip::TxnId txn, csta::Message request);
  void answer_csta(sip::TxnId txn, const csta::Message& request, csta::Body body);
  void answer_error(sip::TxnId txn, const csta::Message& request, std::string category,
                    std::string value);
  void forward(SessionId id, sip::TxnId txn, const csta::Message& request, csta::Body to_node);
  void monitor_start(SessionId id, sip::TxnId txn, const csta::Message& request,
                     const csta::MonitorStart& m);
  void monitor_stop(SessionId id, sip::TxnId txn, const csta::Message& request);
  void release_monitor(Session& s);
  /// Places the session on a live node and restarts its monitor there; false: no node up.
  bool recover(SessionId id);
  void end_session(Session& s, const std::string& why);
  /// Node -> client identifiers, in place.
  void to_client(Session& s, csta::Body& body);
  /// Client -> node identifiers. When the request names what is not this session's: the
  /// CSTAErrorCode operation value to answer, and `why` for the log.
  std::optional<std::string> to_node_ids(Session& s, csta::Body& body, std::string& why);
  std::string client_device(const Session& s, const std::string& node_device) const;
  /// An EstablishedEvent on the session's line: binds a session whose devices both ring.
  void bind_answered(Session& s, const csta::EstablishedEvent& e);
  std::string node_number(const std::string& client_number) const;
  bool own_line(const Session& s, const std::string& device) const;
  std::string retry_after();
  std::int64_t now() const;

  const directory::Directory* devices_;
  directory::UserSource* users_;
  CtiSide& cti_;
  Settings settings_;
  sip::DialogLayer* dialogs_ = nullptr;
  SessionTable sessions_;
  Counters counters_;
  std::uint64_t next_xref_ = 1;
  std::uint64_t next_call_ = 1;
  std::uint64_t retry_spread_ = 0;
  /// Client requests waiting for their answer: when they arrived and the service, for
  /// Counters::answers and round_trip.
  struct Started {
    std::chrono::steady_clock::time_point at;
    std::string_view service;
  };
  std::map<sip::TxnId, Started> started_;
  /// Handlers check it before touching `this` (a CTI reply may come after the gateway is gone).
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace rcc::gateway
