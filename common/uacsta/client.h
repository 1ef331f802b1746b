#pragma once
// The client side of uaCSTA (docs/protocol.md, "The session at a glance"): what an OCS/Lync pool
// does on behalf of Communicator, towards a CSTA gateway. Many sessions at once on one
// io_context, nothing blocking: rcc-troubleshoot --live runs one, a load client thousands.
//
//   Client c(ioc, {"gw.example.com:5060"});
//   c.start();                                      // our listener: the gateway's INFOs come here
//   c.sign_in("sip:alice@example.com", "tel:5001;phone-context=dialstring",
//             [](SessionId s, Reply r) { ... });     // INVITE + RequestSystemStatus
//   c.request(s, csta::MonitorStart{line}, [](Reply r) { ... });   // INFO in the dialog
//   c.on_event = [](SessionId s, const csta::Message& m) { ... };  // the gateway's event INFOs
//   c.refresh(s, 1800, [](Reply r) { ... });         // UPDATE (session timer)
//   c.sign_out(s);                                  // BYE
//
// Every answer comes once, as a Reply: the SIP status and, when the body is CSTA XML, the decoded
// message; or no status and the reason when nothing came within the timeout (a stopped gateway,
// a refused connection). TCP only. Runs on the io_context's thread (one thread: the strand).

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/io_context.hpp>

#include "csta/codec.h"
#include "diag/error.h"
#include "sip/dialog.h"

namespace rcc::sip {
class Stack;
}

namespace rcc::uacsta {

struct ClientOptions {
  std::string gateway;                   ///< HOST:PORT of the gateway's TCP listener
  std::string rcc_uri_user = "rcc-gw";   ///< the user part of the gateway's URI
  std::string local_host = "127.0.0.1";  ///< where we listen for the gateway's requests
  /// For every transaction (Timers B and F are set to it) and every connect.
  std::chrono::milliseconds timeout{5000};
};

using SessionId = sip::DialogKey;

struct Reply {
  int status = 0;                     ///< SIP status; 0: no answer (see error)
  std::string reason;                 ///< the reason phrase
  std::string warning;                ///< the Warning header, if any
  std::uint32_t retry_after = 0;      ///< the Retry-After header's seconds; 0: none
  std::uint32_t session_expires = 0;  ///< the Session-Expires header's seconds; 0: none
  std::optional<csta::Message> csta;  ///< the body, decoded, when it is CSTA XML
  std::string body;
  std::string error;  ///< why there is no answer, or why the body did not decode
  double ms = 0;      ///< from sending to the answer
};

class Client : private sip::DialogHandler {
 public:
  Client(boost::asio::io_context& io, ClientOptions options);
  ~Client() override;

  /// Listens on local_host (port picked by the system) for the gateway's requests.
  Result<void> start();
  /// OPTIONS to the gateway, outside any dialog.
  void options(std::function<void(Reply)> done);
  /// INVITE with RequestSystemStatus (its <lcs:line> = `line` unless empty), as the pool sends
  /// it for `user_uri` (the From). The session exists at once; a refused INVITE ends it.
  SessionId sign_in(const std::string& user_uri, const std::string& line,
                    std::function<void(SessionId, Reply)> done);
  /// A CSTA request in an INFO of the session.
  void request(SessionId session, const csta::Body& body, std::function<void(Reply)> done);
  /// Refreshes the session with an UPDATE asking for `interval` seconds (RFC 4028), as the pool
  /// does at half the Session-Expires it was granted; a 481/408 or no answer ends the session.
  void refresh(SessionId session, std::uint32_t interval, std::function<void(Reply)> done);
  /// BYE; the session ends at once.
  void sign_out(SessionId session);
  /// Transactions still waiting for an answer (a BYE's included).
  std::size_t transactions() const;
  /// Closes everything (so that io_context::run returns).
  void stop();

  std::function<void(SessionId, const csta::Message&)> on_event;
  std::function<void(SessionId, std::error_code)> on_ended;

 private:
  using Clock = std::chrono::steady_clock;
  struct Waiting {
    std::function<void(Reply)> done;
    Clock::time_point sent;
    SessionId session = 0;
  };
  static Reply reply_of(const sip::Message* response, std::error_code error,
                        Clock::time_point sent);
  std::string gateway_uri() const;

  void on_invite(const sip::Dialog& d, sip::TxnId txn, const sip::Message& invite) override;
  void on_info(const sip::Dialog& d, sip::TxnId txn, const sip::Message& info) override;
  void on_info_result(const sip::Dialog& d, std::uint64_t request, const sip::Message* response,
                      std::error_code error) override;
  void on_dialog_ended(const sip::Dialog& d, std::error_code why) override;
  void on_invite_result(const sip::Dialog& d, const sip::Message* response,
                        std::error_code error) override;
  void on_request_result(std::uint64_t request, const sip::Message* response,
                         std::error_code error) override;

  boost::asio::io_context& io_;
  ClientOptions options_;
  std::unique_ptr<sip::Stack> stack_;
  std::map<SessionId, std::function<void(SessionId, Reply)>> signing_in_;
  std::map<SessionId, Clock::time_point> invite_sent_;
  std::map<std::uint64_t, Waiting> infos_;    ///< send_info id -> its caller
  std::map<std::uint64_t, Waiting> outside_;  ///< send_request id -> its caller
};

}  // namespace rcc::uacsta
