#pragma once
// The dialog layer of a UAS that keeps long-lived INVITE dialogs (the uaCSTA gateway side):
// RFC 3261 §12 dialogs, §12.2 in-dialog requests, and RFC 4028 session timers.
//
// What it does for the application (DialogHandler):
//  - out-of-dialog INVITE: checks the Request-URI scheme (416), Require (420), Session-Expires
//    against our Min-SE (422 with Min-SE), creates the dialog (local tag, route set from
//    Record-Route, remote target from Contact) and asks the handler; the 2xx it sends copies
//    Record-Route (§12.1.1) and carries Contact, Allow, Supported and the session timer;
//  - ACK confirms; in-dialog INFO goes to the handler; re-INVITE and UPDATE refresh the session
//    (UPDATE is answered here); BYE ends the dialog; OPTIONS is answered here;
//  - requests with a To tag that matches no dialog get 481 (§12.2.2); a CSeq that does not
//    grow gets 500;
//  - in-dialog requests we send (INFO for events, BYE) follow the route set back the way the
//    dialog came (§12.2.1.1, loose and strict routers); TransactionSink::route() picks the
//    connection to the next hop. Event INFOs of one dialog go one at a time, in order
//    (docs/protocol.md), at most max_queued_infos waiting;
//  - a dialog outlives its connections: it lives until BYE, session expiry or a 481/408 to our
//    request; an in-dialog request on another connection moves the dialog to it;
//  - at most max_dialogs dialogs: a new INVITE past that gets 503 with Retry-After;
//  - server transactions still waiting for the handler when their dialog ends get 481;
//  - when our INFO gets 481 or 408 or times out, or no refresh comes before the session
//    expires (we then send BYE), the dialog ends and the handler hears why.
//
// The UAC side (the uaCSTA client: rcc-troubleshoot --live, a load client) opens dialogs with
// send_invite(): the dialog exists from the INVITE on, is confirmed by a 2xx (remote tag, target
// and the reversed Record-Route taken from it, the ACK sent here, §13.2.2.4, §12.1.2), and is
// removed by a failure; the handler hears on_invite_result() either way. In such a dialog the
// peer's INFOs reach on_info() as for a UAS dialog, and send_info()/send_bye() work the same.
// Requests outside any dialog (OPTIONS) go with send_request(); on_request_result() answers.
// The UAC side keeps no session timer of its own: a client that stays longer refreshes itself
// with send_update().
//
// Requests the handler is asked about are answered with answer(), now or later. All calls
// happen on one strand; nothing here blocks or knows about sockets.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include "diag/error.h"
#include "sip/message.h"
#include "sip/transaction.h"

namespace rcc::sip {

struct DialogConfig {
  std::string contact = "sip:gateway@127.0.0.1";  ///< our Contact URI
  std::string via_transport = "TCP";              ///< our Via for requests we send
  std::string via_sent_by = "127.0.0.1";
  std::string allow = "INVITE, ACK, CANCEL, BYE, INFO, UPDATE, OPTIONS";
  std::string supported = "timer";
  std::string accept = "application/csta+xml";
  std::string server = "rcc-tools";
  std::uint32_t session_expires = 1800;  ///< what we grant when the UAC asks for nothing or more
  std::uint32_t min_se = 90;             ///< RFC 4028 §5: the smallest interval we accept
  std::size_t max_dialogs = 200'000;     ///< a new INVITE past this gets 503 + Retry-After
  std::size_t max_queued_infos = 64;  ///< event INFOs waiting per dialog; past it send_info fails
  std::uint32_t retry_after = 30;     ///< Retry-After of that 503, seconds
};

using DialogKey = std::uint64_t;

struct Dialog {
  DialogKey key = 0;
  std::string call_id;
  std::string local_tag;
  std::string remote_tag;
  std::string local_uri;                 ///< To of the INVITE (our address of record), without tag
  std::string remote_uri;                ///< From of the INVITE (the peer), without tag
  std::string remote_target;             ///< the peer's Contact URI (§12.1.1)
  std::vector<std::string> route_set;    ///< Record-Route values as received (§12.1.1)
  Flow flow = 0;                         ///< the connection the peer last sent a request on
  std::uint32_t local_cseq = 0;          ///< of our last request
  std::uint32_t remote_cseq = 0;         ///< of the peer's last request
  bool confirmed = false;                ///< ACK received
  std::uint32_t session_interval = 0;    ///< RFC 4028 interval in force; 0: no session timer
  bool we_refresh = false;               ///< refresher=uas: we send the refreshing UPDATE
  std::uint64_t session_generation = 0;  ///< bumps at each refresh, to spot stale timers
  bool uac = false;                      ///< we sent the INVITE (send_invite)
};

/// What the application answers to INVITE (initial or re-INVITE) and INFO.
struct Answer {
  int status = 200;
  std::string body;
  std::string content_type;     ///< set when body is non-empty
  std::vector<Header> headers;  ///< extra headers (Retry-After, Warning, Accept, ...)
};

class DialogHandler {
 public:
  virtual ~DialogHandler() = default;
  /// An INVITE: `d.confirmed` is false and the dialog new, or it is a re-INVITE. Answer with
  /// DialogLayer::answer(txn, ...); a non-2xx answer to an initial INVITE removes the dialog.
  virtual void on_invite(const Dialog& d, TxnId txn, const Message& invite) = 0;
  /// An INFO in dialog `d`; answer with DialogLayer::answer(txn, ...).
  virtual void on_info(const Dialog& d, TxnId txn, const Message& info) = 0;
  /// The final response (or failure: `response` null) of a request sent with send_info().
  virtual void on_info_result(const Dialog& d, std::uint64_t request, const Message* response,
                              std::error_code error) = 0;
  /// The dialog is gone: BYE from the peer (no error), session expired, 481/408 to our request,
  /// transport closed. The Dialog is erased after this returns.
  virtual void on_dialog_ended(const Dialog& d, std::error_code why) = 0;
  /// UAC: the final response to send_invite()'s INVITE (or `response` null and `error` when
  /// none came). A 2xx confirmed the dialog; anything else removed it (on_dialog_ended follows).
  virtual void on_invite_result(const Dialog& d, const Message* response, std::error_code error) {
    (void)d, (void)response, (void)error;
  }
  /// The final response (or failure) of a request sent with send_request() or send_update().
  virtual void on_request_result(std::uint64_t request, const Message* response,
                                 std::error_code error) {
    (void)request, (void)response, (void)error;
  }
};

/// An INVITE the UAC side sends (send_invite()).
struct Invite {
  std::string request_uri;  ///< e.g. sip:rcc-gw@gw.example.com:5060;transport=tcp
  std::string from;         ///< our address of record, a URI (the tag is added)
  std::string to;           ///< the peer's, a URI
  std::string body;
  std::string content_type;
  std::vector<Header> headers;  ///< extra (Supported, Session-Expires, Content-Disposition...)
};

class DialogLayer : public TransactionUser {
 public:
  DialogLayer(TransactionSink& sink, DialogHandler& handler, DialogConfig config = {},
              TimerConfig timers = {});

  /// Entry points from the transport.
  void receive(Flow flow, const Message& m) { txns_.receive(flow, m); }
  /// The connection is gone: its transactions end; dialogs stay (the next request finds a way).
  void flow_closed(Flow flow);
  /// A timer from TransactionSink::start_timer came due.
  void timer_fired(TimerOwner owner, Timer timer);

  /// Answers a request the handler was given. INVITE 2xx answers get Contact, Record-Route,
  /// Allow, Supported and session-timer headers added here.
  Result<void> answer(TxnId txn, const Answer& a);
  /// Sends an INFO in the dialog (queued behind an INFO still in progress). Returns an id that
  /// on_info_result() repeats; Errc::queue_full when max_queued_infos are already waiting.
  Result<std::uint64_t> send_info(DialogKey dialog, std::string body, std::string content_type,
                                  std::vector<Header> headers = {});
  /// UAC: sends an INVITE that opens a dialog; its key at once, the answer in on_invite_result().
  Result<DialogKey> send_invite(const Invite& invite);
  /// Sends `request` outside any dialog (Via, From tag, Call-ID and CSeq are added when
  /// missing); the answer comes to on_request_result() with the returned id.
  Result<std::uint64_t> send_request(Message request);
  /// UAC: refreshes the session (RFC 4028 §7.4) with an UPDATE asking for `interval` seconds,
  /// refresher=uac. The answer comes to on_request_result() with the returned id; 481, 408 or
  /// no answer then ends the dialog, as for an INFO.
  Result<std::uint64_t> send_update(DialogKey dialog, std::uint32_t interval);
  /// Sends BYE and ends the dialog at once (the BYE's answer does not matter to us).
  Result<void> send_bye(DialogKey dialog);
  /// Ends the dialog without a request (after we answered 481: the peer has ended it too).
  void forget(DialogKey dialog) { end_dialog(dialog, {}); }

  const Dialog* find(DialogKey key) const;
  std::size_t dialog_count() const { return dialogs_.size(); }
  std::size_t queued_infos(DialogKey key) const;
  std::size_t transaction_count() const { return txns_.size(); }
  /// Session refreshes answered 200 so far: UPDATEs and re-INVITEs in a confirmed dialog.
  std::uint64_t refreshes() const { return refreshes_; }

  // TransactionUser
  void on_request(TxnId txn, Flow flow, const Message& request) override;
  void on_response(TxnId txn, const Message& response) override;
  void on_failure(TxnId txn, std::error_code why) override;

 private:
  struct Pending {  // a server transaction the handler was asked about
    DialogKey dialog = 0;
    Message request;
  };
  struct Outgoing {        // a client transaction of ours
    DialogKey dialog = 0;  ///< 0: outside any dialog (send_request)
    std::uint64_t id = 0;
    std::string method;
    Flow flow = 0;
  };
  void invite_answered(Dialog& d, const Outgoing& out, const Message& response);
  struct Queued {
    std::uint64_t id;
    std::string body;
    std::string content_type;
    std::vector<Header> headers;
  };

  Dialog* match(const Message& request);
  void reply(TxnId txn, const Message& request, int status, std::vector<Header> extra = {},
             const std::string& to_tag = {});
  bool session_check(TxnId txn, const Message& request);
  void apply_session_timer(Dialog& d, const Message& request, Message& response);
  void arm_session_timer(Dialog& d);
  void drop_session_timer(DialogKey key);
  std::string contact_for(Flow flow);
  Message build_request(Dialog& d, std::string_view method);
  Result<TxnId> start_request(Dialog& d, Message request, std::uint64_t id);
  void pump_info(Dialog& d);
  void end_dialog(DialogKey key, std::error_code why);

  TransactionSink& sink_;
  DialogHandler& handler_;
  DialogConfig config_;
  TransactionLayer txns_;
  DialogKey next_key_ = 1;
  std::uint64_t next_request_ = 1;
  std::uint64_t refreshes_ = 0;
  static std::string index_key(std::string_view call_id, std::string_view local_tag,
                               std::string_view remote_tag);

  std::map<DialogKey, Dialog> dialogs_;
  /// (Call-ID, local tag, remote tag) -> dialog: a request finds its dialog without a scan.
  std::map<std::string, DialogKey> index_;
  std::map<TxnId, Pending> pending_;
  std::map<TxnId, Outgoing> outgoing_;
  std::map<DialogKey, std::vector<Queued>> info_queue_;
  std::map<DialogKey, bool> info_busy_;
  std::map<TimerOwner, std::pair<DialogKey, std::uint64_t>> session_timers_;
  std::map<DialogKey, TimerOwner> session_timer_of_;
};

}  // namespace rcc::sip
