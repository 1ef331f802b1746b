#include "ctisim/server.h"

#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <deque>
#include <sstream>

#include "csta/message_kind.h"
#include "util/log.h"

namespace rcc::ctisim {
namespace {

using tcp = net::ip::tcp;
constexpr std::size_t kReadChunk = 16 * 1024;
constexpr std::size_t kMaxControlLine = 1024;

std::shared_ptr<spdlog::logger> log() {
  return util::logger("ctisim");
}

}  // namespace

/// One CTI link: a TCP connection carrying one application session (docs/protocol.md).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(Server& server, tcp::socket socket)
      : server_(server),
        socket_(std::move(socket)),
        session_timer_(socket_.get_executor()),
        frame_timer_(socket_.get_executor()),
        decoder_(server.options().frame_limits),
        id_(server.next_session_id()) {
    boost::system::error_code ec;
    // A response and its events go out as separate small writes: without this, Nagle holds
    // the events for the peer's delayed ACK (40 ms on Linux).
    socket_.set_option(tcp::no_delay(true), ec);
    auto peer = socket_.remote_endpoint(ec);
    peer_ = ec ? std::string("?") : peer.address().to_string() + ":" + std::to_string(peer.port());
  }

  SessionId id() const { return id_; }

  void start() {
    // No StartApplicationSession within the login timeout: dropped like a silent peer.
    arm_session_timer(server_.options().login_timeout);
    read();
  }

  void send(int invoke_id, const csta::Body& body) {
    if (closed_) return;
    const std::string xml = csta::encode(csta::Message{ns_, body}, csta::EncodeOptions{false});
    auto frame = cti::encode_frame(invoke_id, xml, server_.options().frame_limits);
    if (!frame) {
      // A response too large for one frame (docs/protocol.md): refuse it instead.
      log()->warn("session={} {}: {}", id_, csta::element_name(body), frame.error().message());
      send(invoke_id, csta::CSTAErrorCode{"systemResourceAvailability", "resourceLimitation"});
      return;
    }
    queue_.push_back(std::move(*frame));
    if (!writing_) write();
  }

  void drop(const std::string& why) {
    if (closed_) return;
    closed_ = true;
    log()->warn("session={} peer={} dropped: {}", id_, peer_, why);
    finish();
  }

  /// A SystemStatus request to the client, as switches poll their CTI links (docs/protocol.md).
  /// False when the session is not active.
  bool poll_status() {
    if (closed_ || !active_) return false;
    next_invoke_ = next_invoke_ % 9998 + 1;
    send(next_invoke_, csta::SystemStatus{});
    return true;
  }

  /// After the last frame is written (ApplicationSessionTerminated, Stop response).
  void close_after_write() {
    close_when_drained_ = true;
    if (!writing_) drop_quietly();
  }

 private:
  void drop_quietly() {
    if (closed_) return;
    closed_ = true;
    log()->info("session={} peer={} closed", id_, peer_);
    finish();
  }

  void finish() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    session_timer_.cancel();
    frame_timer_.cancel();
    server_.forget(id_);
  }

  void arm_session_timer(std::chrono::milliseconds after) {
    session_timer_.expires_after(after);
    auto self = shared_from_this();
    session_timer_.async_wait([self](boost::system::error_code ec) {
      if (ec || self->closed_) return;
      if (!self->active_) {
        self->drop("no StartApplicationSession within the login timeout");
        return;
      }
      // ECMA-354: no ResetApplicationSessionTimer within the duration ends the session.
      log()->info("session={} expired: no heartbeat within {} s", self->id_, self->duration_);
      self->send(cti::kEventInvokeId,
                 csta::ApplicationSessionTerminated{self->session_id_,
                                                    {"definedTermReason", "timerExpired"}});
      self->active_ = false;
      self->server_.world().drop_session(self->id_);
      self->close_after_write();
    });
  }

  void write() {
    if (queue_.empty() || closed_) {
      writing_ = false;
      if (close_when_drained_) drop_quietly();
      return;
    }
    writing_ = true;
    auto self = shared_from_this();
    net::async_write(socket_, net::buffer(queue_.front()),
                     [self](boost::system::error_code ec, std::size_t) {
                       if (self->closed_) return;
                       if (ec) {
                         self->drop("write: " + ec.message());
                         return;
                       }
                       self->queue_.pop_front();
                       self->write();
                     });
  }

  void read() {
    buffer_.resize(kReadChunk);
    auto self = shared_from_this();
    socket_.async_read_some(
        net::buffer(buffer_), [self](boost::system::error_code ec, std::size_t n) {
          if (self->closed_) return;
          if (ec) {
            if (ec == net::error::eof)
              self->drop_quietly();
            else
              self->drop("read: " + ec.message());
            return;
          }
          std::vector<cti::Frame> frames;
          auto fed = self->decoder_.feed(std::string_view(self->buffer_.data(), n), frames);
          for (auto& f : frames) {
            if (self->closed_) return;
            self->on_frame(f);
          }
          if (self->closed_) return;
          if (!fed) {
            self->drop(fed.error().message());
            return;
          }
          self->watch_half_frame();
          self->read();
        });
  }

  void watch_half_frame() {
    if (!decoder_.mid_frame()) {
      if (frame_timer_armed_) frame_timer_.cancel();
      return;
    }
    if (frame_timer_armed_) return;
    frame_timer_armed_ = true;
    frame_timer_.expires_after(server_.options().frame_timeout);
    auto self = shared_from_this();
    frame_timer_.async_wait([self](boost::system::error_code ec) {
      self->frame_timer_armed_ = false;
      if (ec || self->closed_ || !self->decoder_.mid_frame()) return;
      self->drop(std::to_string(self->decoder_.buffered()) + " bytes of a frame, then silence");
    });
  }

  void on_frame(const cti::Frame& frame) {
    auto m = csta::decode(frame.body, server_.options().xml_limits);
    if (!m) {
      if (m.error().code() == csta::Errc::unknown_message && is_request(frame)) {
        // Well-formed CSTA we do not implement: answered, not dropped (docs/protocol.md).
        send(frame.invoke_id, csta::CSTAErrorCode{"operation", "serviceNotSupported"});
        return;
      }
      // Malformed, hostile (DOCTYPE, too deep, too large) or not CSTA: the peer cannot be
      // trusted to be in step any more.
      drop("invoke " + std::to_string(frame.invoke_id) + ": " + m.error().message());
      return;
    }
    if (auto* start = std::get_if<csta::StartApplicationSession>(&m->body)) {
      on_start(frame.invoke_id, *start);
      return;
    }
    if (!active_) {
      send(frame.invoke_id, csta::CSTAErrorCode{"security", "generic"});
      return;
    }
    ns_ = m->ns;
    if (auto* reset = std::get_if<csta::ResetApplicationSessionTimer>(&m->body)) {
      if (reset->session_id != session_id_) {
        reply(frame.invoke_id,
              csta::ResetApplicationSessionTimerNegResponse{{"definedError", "invalidSessionID"}});
        return;
      }
      duration_ = grant(reset->requested_session_duration);
      arm_session_timer(std::chrono::seconds(duration_));
      reply(frame.invoke_id, csta::ResetApplicationSessionTimerPosResponse{duration_});
      return;
    }
    if (std::holds_alternative<csta::StopApplicationSession>(m->body)) {
      active_ = false;
      server_.world().drop_session(id_);
      send(frame.invoke_id, csta::StopApplicationSessionPosResponse{});
      close_after_write();
      return;
    }
    if (std::holds_alternative<csta::SystemStatusResponse>(m->body)) {
      server_.count_status_answer();
      return;
    }
    std::vector<Out> out;
    server_.world().handle(id_, frame.invoke_id, m->body, out);
    server_.deliver(std::move(out));
  }

  /// Whether a frame the codec does not model is a request (to be answered). NUL-terminated
  /// frames carry no invoke ID: the root element's name tells (csta/message_kind.h).
  bool is_request(const cti::Frame& frame) const {
    if (server_.options().frame_limits.framing == cti::Framing::annex_j)
      return frame.invoke_id != cti::kNoInvokeId && !frame.is_event();
    auto root = csta::root_element_name(frame.body, server_.options().xml_limits);
    return root && csta::message_kind(*root) == csta::MessageKind::request;
  }

  unsigned grant(std::optional<unsigned> requested) const {
    const auto& o = server_.options();
    return std::max(
        1u, std::min(requested.value_or(o.default_session_duration), o.max_session_duration));
  }

  void reply(int invoke_id, csta::Body body) {
    std::vector<Out> out;
    out.push_back(Out{id_, invoke_id, std::move(body)});
    server_.deliver(std::move(out));
  }

  void on_start(int invoke_id, const csta::StartApplicationSession& s) {
    if (active_) {
      send(invoke_id, csta::StartApplicationSessionNegResponse{
                          {"nonStandardError", "session already active on this link"}});
      return;
    }
    const auto* user = s.login ? server_.directory().application_user(s.login->user_name) : nullptr;
    if (!user || user->password != s.login->password) {
      log()->warn("session={} peer={} refused: wrong user or password for '{}'", id_, peer_,
                  s.login ? s.login->user_name : std::string());
      send(invoke_id,
           csta::StartApplicationSessionNegResponse{{"definedError", "invalidApplicationInfo"}});
      close_after_write();
      return;
    }
    if (!user->in_group(directory::kCtiEnabled)) {
      // ECMA-354 has no defined error for this; the text names the permission so that
      // clients can tell it from bad credentials (man rcc-ctisim, SESSIONS).
      log()->warn("session={} peer={} refused: '{}' is not in '{}'", id_, peer_, user->id,
                  directory::kCtiEnabled);
      send(invoke_id, csta::StartApplicationSessionNegResponse{
                          {"nonStandardError",
                           std::string("Permission denied: not in ") + directory::kCtiEnabled}});
      close_after_write();
      return;
    }
    std::string version = std::string(csta::namespace_uri(csta::Namespace::ed3));
    if (!s.protocol_versions.empty()) {
      bool found = false;
      for (const auto& v : s.protocol_versions) {
        if (auto ns = csta::namespace_from_uri(v)) {
          ns_ = *ns;
          version = v;
          found = true;
          break;
        }
      }
      if (!found) {
        send(invoke_id, csta::StartApplicationSessionNegResponse{
                            {"definedError", "requestedProtocolVersionNotSupported"}});
        close_after_write();
        return;
      }
    }
    active_ = true;
    duration_ = grant(s.requested_session_duration);
    session_id_ = "SIM" + std::to_string(id_) + "-0";
    arm_session_timer(std::chrono::seconds(duration_));
    log()->info("session={} peer={} user={} active for {} s", id_, peer_, user->id, duration_);
    reply(invoke_id, csta::StartApplicationSessionPosResponse{session_id_, version, duration_});
  }

  Server& server_;
  tcp::socket socket_;
  net::steady_timer session_timer_;
  net::steady_timer frame_timer_;
  bool frame_timer_armed_ = false;
  cti::FrameDecoder decoder_;
  std::string buffer_;
  std::deque<std::string> queue_;
  bool writing_ = false;
  bool closed_ = false;
  bool close_when_drained_ = false;
  bool active_ = false;
  SessionId id_;
  int next_invoke_ = 0;  ///< the simulator's own requests (SystemStatus): 1..9998
  std::string session_id_;
  unsigned duration_ = 0;
  csta::Namespace ns_ = csta::Namespace::ed3;
  std::string peer_;
};

Server::Server(net::io_context& ioc, const directory::Directory& directory, ServerOptions options)
    : ioc_(ioc),
      directory_(directory),
      options_(std::move(options)),
      world_(directory),
      acceptor_(ioc),
      control_acceptor_(ioc) {}

namespace {
Result<tcp::endpoint> bind_acceptor(tcp::acceptor& acceptor, const tcp::endpoint& at) {
  boost::system::error_code ec;
  if (!acceptor.open(at.protocol(), ec))
    if (!acceptor.set_option(tcp::acceptor::reuse_address(true), ec))
      if (!acceptor.bind(at, ec))
        if (!acceptor.listen(net::socket_base::max_listen_connections, ec)) {
          auto bound = acceptor.local_endpoint(ec);
          if (!ec) return bound;
        }
  boost::system::error_code ignored;
  acceptor.close(ignored);
  return Error(std::error_code(ec),
               at.address().to_string() + ":" + std::to_string(at.port()) + ": " + ec.message());
}
}  // namespace

Result<tcp::endpoint> Server::listen(const tcp::endpoint& at) {
  auto bound = bind_acceptor(acceptor_, at);
  if (bound) accept();
  return bound;
}

Result<tcp::endpoint> Server::listen_control(const tcp::endpoint& at) {
  auto bound = bind_acceptor(control_acceptor_, at);
  if (bound) accept_control();
  return bound;
}

void Server::close() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  control_acceptor_.close(ignored);
  auto conns = connections_;
  for (auto& [id, weak] : conns)
    if (auto c = weak.lock()) c->drop("shutting down");
}

void Server::accept() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) {
      auto c = std::make_shared<Connection>(*this, std::move(socket));
      connections_[c->id()] = c;
      c->start();
    }
    if (acceptor_.is_open()) accept();
  });
}

void Server::forget(SessionId id) {
  connections_.erase(id);
  world_.drop_session(id);
}

void Server::deliver(std::vector<Out> out, bool from_request) {
  if (silent_ || out.empty()) return;  // a silent node answers nothing, not even heartbeats
  if (holding_ && from_request) {
    held_.push_back(std::move(out));
    return;
  }
  auto send_all = [this](const std::vector<Out>& batch) {
    for (const auto& o : batch) {
      auto it = connections_.find(o.session);
      if (it == connections_.end()) continue;
      if (auto c = it->second.lock()) c->send(o.invoke_id, o.body);
    }
  };
  if (delay_.count() <= 0) {
    send_all(out);
    return;
  }
  // A slow node: the whole batch later, order kept.
  auto timer = std::make_shared<net::steady_timer>(ioc_, delay_);
  auto batch = std::make_shared<std::vector<Out>>(std::move(out));
  timer->async_wait([this, timer, batch, send_all](boost::system::error_code ec) {
    if (!ec && !silent_) send_all(*batch);
  });
}

std::string Server::control(const std::string& line) {
  std::istringstream in(line);
  std::string cmd, a, b;
  in >> cmd >> a >> b;
  std::vector<Out> out;
  auto done = [&](const std::string& ok) {
    deliver(std::move(out), false);
    return "ok" + (ok.empty() ? "" : " " + ok);
  };
  if (cmd == "call") {
    auto r = world_.incoming_call(a, b, out);
    return r ? done(*r) : "error " + r.error().message();
  }
  if (cmd == "answer" || cmd == "hangup") {
    auto r = cmd == "answer" ? world_.answer(a, out) : world_.hangup(a, out);
    return r ? done("") : "error " + r.error().message();
  }
  if (cmd == "register" || cmd == "unregister") {
    auto r = world_.set_registered(a, cmd == "register");
    return r ? done("") : "error " + r.error().message();
  }
  if (cmd == "silent") {
    if (a != "on" && a != "off") return "error silent on|off";
    silent_ = a == "on";
    log()->warn("control: node {}", silent_ ? "silent" : "speaking again");
    return "ok";
  }
  if (cmd == "delay") {
    char* end = nullptr;
    const long ms = std::strtol(a.c_str(), &end, 10);
    if (a.empty() || *end != '\0' || ms < 0 || ms > 600'000) return "error delay MS (0..600000)";
    delay_ = std::chrono::milliseconds(ms);
    return "ok";
  }
  if (cmd == "hold-responses") {
    if (a != "on" && a != "off") return "error hold-responses on|off";
    holding_ = a == "on";
    if (holding_) return "ok";
    // Released in the order they were produced, as one slow switch would have sent them.
    auto held = std::move(held_);
    held_.clear();
    for (auto& batch : held)
      deliver(std::move(batch), false);
    return "ok " + std::to_string(held.size());
  }
  if (cmd == "system-status") {
    std::size_t asked = 0;
    auto conns = connections_;
    for (auto& [id, weak] : conns)
      if (auto c = weak.lock()) asked += c->poll_status() ? 1 : 0;
    return "ok " + std::to_string(asked);
  }
  if (cmd == "drop") {
    auto conns = connections_;
    for (auto& [id, weak] : conns)
      if (auto c = weak.lock()) c->drop("dropped by the control channel");
    return "ok " + std::to_string(conns.size());
  }
  if (cmd == "status") {
    return "ok sessions=" + std::to_string(connections_.size()) +
           " monitors=" + std::to_string(world_.monitor_count()) +
           " calls=" + std::to_string(world_.call_count()) +
           " monitor-stops=" + std::to_string(world_.monitor_stops()) +
           " status-answers=" + std::to_string(status_answers_);
  }
  return "error unknown command '" + cmd +
         "' (call, answer, hangup, register, unregister, silent, delay, hold-responses, "
         "system-status, drop, status)";
}

namespace {

class ControlConnection : public std::enable_shared_from_this<ControlConnection> {
 public:
  ControlConnection(Server& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)), buffer_(kMaxControlLine) {}
  void read() {
    auto self = shared_from_this();
    net::async_read_until(
        socket_, buffer_, '\n', [self](boost::system::error_code ec, std::size_t n) {
          if (ec) return;  // closed, or a line over kMaxControlLine
          std::string line(
              net::buffers_begin(self->buffer_.data()),
              net::buffers_begin(self->buffer_.data()) + static_cast<std::ptrdiff_t>(n));
          self->buffer_.consume(n);
          while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
            line.pop_back();
          if (line.empty()) {
            self->read();
            return;
          }
          log()->info("control: {}", line);
          self->reply_ = self->server_.control(line) + "\n";
          net::async_write(self->socket_, net::buffer(self->reply_),
                           [self](boost::system::error_code ec2, std::size_t) {
                             if (!ec2) self->read();
                           });
        });
  }

 private:
  Server& server_;
  tcp::socket socket_;
  net::streambuf buffer_;
  std::string reply_;
};

}  // namespace

void Server::accept_control() {
  control_acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted) return;
    if (!ec) std::make_shared<ControlConnection>(*this, std::move(socket))->read();
    if (control_acceptor_.is_open()) accept_control();
  });
}

}  // namespace rcc::ctisim
