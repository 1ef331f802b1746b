#pragma once
// Stack: the SIP layers on Boost.Asio. It owns the listeners (TCP, TLS), the connections (each
// one a Flow), the dialog layer and the timers it asks for, and connects them:
//   bytes -> Connection (framer) -> Stack::on_frame -> DialogLayer::receive
//   DialogLayer -> TransactionSink::send -> serialize -> Connection::send
//   TransactionSink::start_timer -> steady_timer -> DialogLayer::timer_fired
// CRLFCRLF keep-alive pings are answered with CRLF (RFC 5626 §3.5.1). The application sees the
// TLS peer subject of a dialog's connection through connection(dialog.flow).
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

  DialogLayer& dialogs() { return dialogs_; }
  const Connection* connection(Flow flow) const;
  void stop();

  // TransactionSink
  void send(Flow flow, const Message& m) override;
  void start_timer(TimerOwner owner, Timer timer, std::chrono::milliseconds after) override;
  // ConnectionHandler
  void on_open(Connection& c) override;
  void on_frame(Connection& c, StreamFramer::Frame frame) override;
  void on_closed(Connection& c, std::error_code why) override;

 private:
  struct Listener;
  void accept(Listener& l);
  Flow adopt(boost::asio::ip::tcp::socket socket, std::shared_ptr<boost::asio::ssl::context> tls,
             bool server);

  boost::asio::io_context& io_;
  ConnectionOptions options_;
  DialogLayer dialogs_;
  Flow next_flow_ = 1;
  std::uint64_t next_timer_ = 1;
  std::map<Flow, std::shared_ptr<Connection>> connections_;
  std::map<std::uint64_t, std::unique_ptr<boost::asio::steady_timer>> timers_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  bool stopped_ = false;
};

}  // namespace rcc::sip
