#pragma once
// Stack: the SIP layers on Boost.Asio. It owns the listeners (TCP, TLS), the connections (each
// one a Flow), the dialog layer and the timers it asks for, and connects them:
//   bytes -> Connection (framer) -> Stack::on_frame -> DialogLayer::receive
//   DialogLayer -> TransactionSink::send -> serialize -> Connection::send
//   TransactionSink::start_timer -> steady_timer -> DialogLayer::timer_fired
// CRLFCRLF keep-alive pings are answered with CRLF (RFC 5626 §3.5.1). The application sees the
// TLS peer subject of a dialog's connection through connection(dialog.flow).
//
// Admission: accept_filter sees an inbound peer's address before the socket is read (a refused
// peer is closed without a byte parsed); admit sees the connection once it is open (TLS: after
// the handshake, with the peer subject); past max_connections new sockets are closed at once.
//
// Outbound (route()): a request we originate goes to its top Route, else its Request-URI,
// resolved asynchronously; an open connection to that address is reused, else one is opened
// (TLS with set_client_tls()'s context, whose certificate is the client certificate) and the
// request waits in its queue. Only when the next hop cannot be reached and the dialog's peer
// still has a connection open to us is that connection used instead (a client that cannot take
// connections, pidgin-sipe behind NAT, still gets its events); such a next hop is not tried
// again for kUnreachableHold.
//
// Threading: everything runs on the io_context's thread; run it on one thread (that is the
// strand). stop() closes listeners, connections and timers so that run() returns.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "diag/error.h"
#include "sip/dialog.h"
#include "sip/transport_connection.h"
#include "sip/transport_tls.h"

namespace rcc::sip {

class Stack : public TransactionSink, public ConnectionHandler {
 public:
  Stack(boost::asio::io_context& io, DialogHandler& app, DialogConfig config = {},
        ConnectionOptions options = {}, TimerConfig timers = {});
  ~Stack() override;

  /// Listens on address:port (port 0 picks one; read it back with the returned port).
  Result<std::uint16_t> listen_tcp(const std::string& address, std::uint16_t port);
  Result<std::uint16_t> listen_tls(const std::string& address, std::uint16_t port,
                                   const TlsOptions& tls);
  /// Opens a client connection (TLS when `tls` is given); `done` gets its flow or an error.
  void connect(const std::string& address, std::uint16_t port, const TlsOptions* tls,
               std::function<void(Result<Flow>)> done);
  /// Sends a message on a flow outside the transaction layer (tests, stateless answers).
  bool send_raw(Flow flow, const Message& m);

  /// What we put in Via (sent-by) and Contact for each transport. Set before listening.
  struct Identity {
    std::string tcp_sent_by = "127.0.0.1";
    std::string tls_sent_by = "127.0.0.1";
    std::string tcp_contact;  ///< empty: the DialogConfig's contact
    std::string tls_contact;
  };
  void set_identity(Identity identity) { identity_ = std::move(identity); }
  /// The client side of TLS connections we open (built once here, not per connection).
  Result<void> set_client_tls(const TlsOptions& tls);
  /// A reload: contexts built beforehand (off the event loop, make_tls_context()). New TLS
  /// handshakes on every TLS listener, and new outbound TLS connections, use them; open
  /// connections keep theirs.
  void replace_tls(std::shared_ptr<boost::asio::ssl::context> server,
                   std::shared_ptr<boost::asio::ssl::context> client);

  /// Called with the peer's address (no port) before an inbound socket is read; false closes it.
  std::function<bool(const std::string& address)> accept_filter;
  /// Called when an inbound connection is open (TLS: after the handshake); false closes it.
  std::function<bool(const Connection&)> admit;
  std::size_t max_connections = 10'000;
  static constexpr std::chrono::seconds kUnreachableHold{30};

  std::size_t connection_count() const { return connections_.size(); }
  /// Open connections over TLS (the rest are plain TCP).
  std::size_t tls_connection_count() const;

  DialogLayer& dialogs() { return dialogs_; }
  const DialogLayer& dialogs() const { return dialogs_; }
  const Connection* connection(Flow flow) const;
  void stop();

  // TransactionSink
  void send(Flow flow, const Message& m) override;
  void start_timer(TimerOwner owner, Timer timer, std::chrono::milliseconds after) override;
  void cancel_timers(TimerOwner owner) override;
  Route route(const Message& request, Flow inbound) override;
  std::string local_contact(Flow flow) override;
  // ConnectionHandler
  void on_open(Connection& c) override;
  void on_frame(Connection& c, StreamFramer::Frame frame) override;
  void on_closed(Connection& c, std::error_code why) override;

 private:
  struct Listener;
  void accept(Listener& l);
  struct Outbound;
  Flow adopt(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls,
             bool server, Flow flow = 0);
  void open_outbound(Flow flow, const std::string& host, std::uint16_t port, bool tls);
  void outbound_failed(Flow flow, const std::string& why);
  bool open(Flow flow) const { return connections_.count(flow) != 0; }

  boost::asio::io_context& io_;
  ConnectionOptions options_;
  DialogLayer dialogs_;
  Flow next_flow_ = 1;
  std::uint64_t next_timer_ = 1;
  std::map<Flow, std::shared_ptr<Connection>> connections_;
  std::map<std::uint64_t, std::unique_ptr<boost::asio::steady_timer>> timers_;
  std::multimap<TimerOwner, std::uint64_t> timers_of_;
  Identity identity_;
  std::shared_ptr<boost::asio::ssl::context> client_tls_;
  std::map<Flow, std::unique_ptr<Outbound>> outbound_;  ///< being resolved or connected
  std::map<std::string, Flow> outbound_by_hop_;         ///< "tls|host|port" -> flow
  std::map<std::string, std::chrono::steady_clock::time_point> unreachable_;
  std::map<Flow, std::string> hop_of_;  ///< outbound flow -> its hop key
  std::vector<std::unique_ptr<Listener>> listeners_;
  bool stopped_ = false;
};

}  // namespace rcc::sip
