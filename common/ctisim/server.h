#pragma once
// The simulator's network side (rcc-ctisim and the gateway's embedded default): the CTI port (CSTA
// XML frames, ECMA-354 sessions) and the control port (one text command per line). Single-threaded:
// one io_context, run by main().

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <map>
#include <memory>
#include <string>

#include "cti/frame.h"
#include "ctisim/world.h"

namespace rcc::ctisim {

namespace net = boost::asio;

struct ServerOptions {
  unsigned max_session_duration = 600;  ///< actualSessionDuration = min(requested, this)
  unsigned default_session_duration = 180;
  std::chrono::milliseconds frame_timeout{10'000};  ///< half a frame, then silence: dropped
  std::chrono::milliseconds login_timeout{10'000};  ///< no StartApplicationSession: dropped
  cti::FrameLimits frame_limits;
  csta::Limits xml_limits;
};

class Connection;

class Server {
 public:
  Server(net::io_context& ioc, const directory::Directory& directory, ServerOptions options);

  /// Binds the CTI port; returns the bound endpoint (port 0 picks one) or why it cannot.
  Result<net::ip::tcp::endpoint> listen(const net::ip::tcp::endpoint& at);
  /// Binds the control port.
  Result<net::ip::tcp::endpoint> listen_control(const net::ip::tcp::endpoint& at);
  void close();

  /// Runs one control command ("call 0612345 4711"); returns the reply line.
  std::string control(const std::string& line);

  // for Connection
  /// Sends `out` in order (late when `delay` is set, never when `silent`). Output caused by a
  /// client's request (`from_request`) is kept back while `hold-responses` is on.
  void deliver(std::vector<Out> out, bool from_request = true);
  void count_status_answer() { ++status_answers_; }
  void forget(SessionId id);
  World& world() { return world_; }
  const directory::Directory& directory() const { return directory_; }
  const ServerOptions& options() const { return options_; }
  bool silent() const { return silent_; }
  std::chrono::milliseconds delay() const { return delay_; }
  SessionId next_session_id() { return next_session_++; }

 private:
  void accept();
  void accept_control();

  net::io_context& ioc_;
  const directory::Directory& directory_;
  ServerOptions options_;
  World world_;
  net::ip::tcp::acceptor acceptor_;
  net::ip::tcp::acceptor control_acceptor_;
  std::map<SessionId, std::weak_ptr<Connection>> connections_;
  SessionId next_session_ = 1;
  bool silent_ = false;
  std::chrono::milliseconds delay_{0};
  bool holding_ = false;
  std::vector<std::vector<Out>> held_;  ///< while holding_, in the order they were produced
  std::uint64_t status_answers_ = 0;    ///< SystemStatusResponses received (control: system-status)
};

}  // namespace rcc::ctisim
