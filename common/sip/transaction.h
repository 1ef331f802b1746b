#pragma once
// RFC 3261 §17 transactions over reliable transports (TCP, TLS), driven by events.
//
// The layer owns no socket and no clock. Messages come in through receive(); what it sends and
// the timers it wants go out through TransactionSink; a timer that expires comes back through
// timer_fired(). Tests therefore drive time by hand, and the Asio adapter (transport_stack.h)
// maps timers onto steady_timers. Over a reliable transport Timers A, E and G never run and
// Timers I, J and K are zero (§17.1.2.2, §17.2.1, §17.2.2), which leaves:
//   server INVITE:      Proceeding -> (2xx) Terminated | (300-699) Completed -H/ACK-> Terminated
//   server non-INVITE:  Trying -> Proceeding -> (final) Terminated
//   client non-INVITE:  Trying -> Proceeding -> (final) Terminated | -F-> timeout
//   client INVITE:      Calling -> Proceeding -> (2xx) Terminated (the TU sends the ACK, §13.2.2.4)
//                       | (300-699) ACK sent here, Terminated (Timer D is zero) | -B-> timeout
// The gateway never sends INVITE; the uaCSTA client side (uacsta/client.h) does.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "diag/error.h"
#include "sip/message.h"

namespace rcc::sip {

/// The connection a message came in on or goes out over (RFC 3261 §18.2.2: responses go back
/// on the connection of their request). Chosen by the transport; 0 is never a flow.
using Flow = std::uint64_t;
/// A transaction (or, for the dialog layer's own timers, a dialog). Never reused.
using TimerOwner = std::uint64_t;
using TxnId = std::uint64_t;

enum class Timer {
  F,        ///< client non-INVITE: no final response in 64*T1 (§17.1.2.2)
  B,        ///< client INVITE: no final response in 64*T1 (§17.1.1.2)
  H,        ///< server INVITE: no ACK for a non-2xx final response in 64*T1 (§17.2.1)
  session,  ///< dialog layer: RFC 4028 refresh or expiry (see dialog.h)
};

struct TimerConfig {
  std::chrono::milliseconds t1{500};  ///< RFC 3261 T1 (RTT estimate)
  std::chrono::milliseconds timer_f() const { return 64 * t1; }
  std::chrono::milliseconds timer_h() const { return 64 * t1; }
};

/// What the transaction layer asks of the world below it.
class TransactionSink {
 public:
  virtual ~TransactionSink() = default;
  /// Serialize and write `m` on `flow` (if the flow is gone, report flow_closed() later).
  virtual void send(Flow flow, const Message& m) = 0;
  /// Call timer_fired(owner, timer) after `after`. A timer whose owner has ended is ignored when
  /// it fires; owners that end early say so with cancel_timers().
  virtual void start_timer(TimerOwner owner, Timer timer, std::chrono::milliseconds after) = 0;
  /// `owner` has ended: its timers need not fire (the default keeps them; they are ignored).
  virtual void cancel_timers(TimerOwner /*owner*/) {}

  /// Where a request we originate goes (RFC 3261 §8.1.2, §18.1.1): the flow to send it on and
  /// the Via transport and sent-by that flow calls for.
  struct Route {
    Flow flow = 0;
    std::string via_transport;  ///< "TCP", "TLS"; empty: the dialog layer's default
    std::string via_sent_by;    ///< host[:port]; empty: the dialog layer's default
  };
  /// The flow for `request` (its top Route, else its Request-URI, names the next hop). `inbound`
  /// is the flow the dialog's peer last used. The default sends on `inbound`; the transport
  /// adapter resolves the next hop and reuses or opens a connection to it.
  virtual Route route(const Message& /*request*/, Flow inbound) { return {inbound, {}, {}}; }
  /// Our Contact URI for a response on `flow` (it follows that flow's transport); empty: the
  /// dialog layer's configured one.
  virtual std::string local_contact(Flow /*flow*/) { return {}; }
};

/// What the transaction layer hands to the layer above (the dialog layer, RFC 3261 "TU").
class TransactionUser {
 public:
  virtual ~TransactionUser() = default;
  /// A new server transaction; answer it with TransactionLayer::respond(). An ACK for a 2xx
  /// (which is not part of any transaction, §17.1.1.1) arrives here with txn 0.
  virtual void on_request(TxnId txn, Flow flow, const Message& request) = 0;
  /// A response to a client transaction: provisional ones, then the final one.
  virtual void on_response(TxnId txn, const Message& response) = 0;
  /// A client transaction ended without a final response (transaction_timeout after Timer F,
  /// transport_closed), or a server INVITE transaction never got its ACK (Timer H).
  virtual void on_failure(TxnId txn, std::error_code why) = 0;
};

class TransactionLayer {
 public:
  TransactionLayer(TransactionSink& sink, TransactionUser& user, TimerConfig timers = {});
  ~TransactionLayer();
  TransactionLayer(const TransactionLayer&) = delete;
  TransactionLayer& operator=(const TransactionLayer&) = delete;

  /// A parsed message from `flow`. Retransmissions are absorbed (the last response is sent
  /// again); responses that match no client transaction are dropped (§17.1.3).
  void receive(Flow flow, const Message& m);
  /// Sends a response for a server transaction. Fails with unknown_transaction when `txn` has
  /// ended (answered already, or its flow closed).
  Result<void> respond(TxnId txn, const Message& response);
  /// Starts a client transaction (INVITE or non-INVITE; never ACK): `request` must carry a top
  /// Via whose branch starts with z9hG4bK (the key of §17.1.3). For a non-2xx final answer to an
  /// INVITE the ACK is sent here (§17.1.1.3); for a 2xx it is the TU's.
  Result<TxnId> request(Flow flow, const Message& request);
  void timer_fired(TimerOwner owner, Timer timer);
  /// The flow is gone: its client transactions fail with transport_closed, its server
  /// transactions end.
  void flow_closed(Flow flow);

  std::size_t size() const { return txns_.size(); }

 private:
  struct Txn;
  TxnId add(std::unique_ptr<Txn> t);
  void end(TxnId id);

  TransactionSink& sink_;
  TransactionUser& user_;
  TimerConfig timers_;
  TxnId next_id_ = 1;
  std::map<TxnId, std::unique_ptr<Txn>> txns_;
  std::map<std::string, TxnId> server_keys_;  // §17.2.3 key -> server transaction
  std::map<std::string, TxnId> client_keys_;  // §17.1.3 key -> client transaction
};

/// The §17.2.3 key of a request: top Via branch + sent-by + method (ACK and CANCEL map onto the
/// INVITE they belong to only through the branch, so ACK uses "INVITE"). Falls back to the
/// RFC 2543 fields when the branch lacks the magic cookie. Empty when the request has no Via.
std::string server_key(const Message& request);

}  // namespace rcc::sip
