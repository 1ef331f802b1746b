#pragma once
// One SIP connection over TCP or TLS on Boost.Asio: reads into the StreamFramer under a read
// deadline, writes queued messages in order, and reports frames and the end of the connection
// to its ConnectionHandler.
//
// Threading: a Connection's handlers run on the executor it was built with; run the io_context
// on one thread (the Stack does), or give each connection its own strand. Lifetime: a
// Connection keeps itself alive (shared_from_this) while it has I/O in flight; close() ends it.
// Input the framer refuses gets the SIP error response when there is one (error_response()),
// then the connection closes, since the stream's framing is lost.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <system_error>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "sip/framer.h"
#include "sip/parser.h"
#include "sip/transaction.h"

namespace rcc::sip {

class Connection;

class ConnectionHandler {
 public:
  virtual ~ConnectionHandler() = default;
  /// The connection is ready (TLS: handshake done, peer subject known).
  virtual void on_open(Connection& c) = 0;
  virtual void on_frame(Connection& c, StreamFramer::Frame frame) = 0;
  /// Called once: peer closed (no error), read_timeout, a framing error, TLS or socket failure,
  /// or operation_aborted after close().
  virtual void on_closed(Connection& c, std::error_code why) = 0;
};

struct ConnectionOptions {
  std::chrono::seconds read_timeout{300};  ///< a deadline on every read (keep-alives reset it)
  /// A message that has begun must be complete within this (a stalled half request is dropped).
  std::chrono::seconds message_timeout{10};
  std::chrono::seconds handshake_timeout{10};
  Limits limits;
};

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  virtual ~Connection() = default;
  /// Starts the handshake (TLS) and the first read.
  virtual void start() = 0;
  /// Queues bytes for writing; ignored once closed.
  virtual void send(std::string bytes) = 0;
  /// Closes now; pending writes are dropped. on_closed follows with operation_aborted.
  virtual void close() = 0;

  Flow flow() const { return flow_; }
  bool secure() const { return secure_; }
  /// The TLS peer certificate's subject (RFC 2253), empty over TCP or without a certificate.
  const std::string& peer_subject() const { return peer_subject_; }
  /// "address:port" of the peer.
  const std::string& peer() const { return peer_; }
  /// TLS: the peer certificate's CN and DNS subjectAltNames (what a peer subject list matches).
  const std::vector<std::string>& peer_names() const { return peer_names_; }

 protected:
  Flow flow_ = 0;
  bool secure_ = false;
  std::string peer_subject_;
  std::vector<std::string> peer_names_;
  std::string peer_;
};

/// Wraps an accepted or connected socket. `tls` null means plain TCP; otherwise a TLS stream in
/// the given role (true: server side).
std::shared_ptr<Connection> make_connection(boost::asio::ip::tcp::socket socket, Flow flow,
                                            std::shared_ptr<boost::asio::ssl::context> tls,
                                            bool server, ConnectionHandler& handler,
                                            ConnectionOptions options = {});

}  // namespace rcc::sip
