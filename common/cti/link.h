#pragma once
// One CTI link: a TCP (optionally TLS) connection to a CTI manager node carrying CSTA XML frames
// (frame.h) and one ECMA-354 application session (docs/protocol.md).
//
//   auto link = Link::create(ioc, options, handlers);
//   link->start([](Result<void> r) { ... });          // connect, TLS, StartApplicationSession
//   link->request(csta::MonitorStart{"4711"}, [](Result<csta::Message> r) { ... });
//   link->stop([](Result<void>) { ... });              // StopApplicationSession, close
//
// Threading: every handler runs on the io_context, which must be run by one thread (the
// implicit strand). Public calls must come from that thread too.
//
// Promises:
// - Every wait has a deadline: connect (and TLS handshake) within connect_timeout, each request
//   answered within request_timeout, a frame completed within frame_timeout once it started.
// - Every request callback is called exactly once: with the response (a CSTAErrorCode is a
//   response, not an error), with request_timeout, or with the error that took the link down.
// - Heartbeats: once active, ResetApplicationSessionTimer every heartbeat_interval
//   (docs/protocol.md); a NegResponse or an unanswered one takes the link down.
// - A peer that sends a bad length, a frame over the limit, a non-XML or hostile XML body
//   (csta::Limits, no DOCTYPE) or half a frame and then nothing is dropped with one log line;
//   Handlers::on_down says why. Unknown *event* types are logged and skipped (vendors add them).
// - A server-initiated SystemStatus is answered with SystemStatusResponse, same invoke ID
//   (docs/protocol.md).
// - Framing::nul_terminated frames carry no invoke ID. The link then tells responses from events
//   by the message (csta/message_kind.h) and matches responses by order: it sends one request at
//   a time, the next once the one on the wire is answered or timed out, so a response can only
//   be the answer to the one request outstanding. Requests wait their turn in order; a request's
//   timeout counts from when it is sent. After a timeout the link waits for the late answer (up
//   to request_timeout more, the answer then dropped) before it sends the next request, so that
//   answer is not taken for the next one's. A response that cannot answer the request on the
//   wire (a MonitorStartResponse while a MakeCall waits), or arrives with none, is logged and
//   dropped.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "csta/codec.h"
#include "cti/frame.h"
#include "diag/error.h"

namespace rcc::cti {

namespace net = boost::asio;
using Millis = std::chrono::milliseconds;

/// HOST:PORT, with [v6]:PORT for IPv6 literals.
struct NodeAddress {
  std::string host;
  std::string port;
  std::string name() const;
};
Result<NodeAddress> parse_node_address(std::string_view text);

struct LinkOptions {
  NodeAddress node;
  std::string user;      ///< the CTI application user
  std::string password;  ///< never logged
  std::string application_id = "rcc-tools";
  /// Credentials as Avaya's SessionLoginInfo (true) or the neutral userName/password pair.
  bool avaya_login = false;
  Millis connect_timeout{5'000};
  Millis request_timeout{10'000};
  /// 0: no heartbeats (the probe sends its one heartbeat itself).
  Millis heartbeat_interval{30'000};
  Millis frame_timeout{10'000};
  unsigned session_duration = 180;  ///< requestedSessionDuration, seconds
  csta::Namespace edition = csta::Namespace::ed3;
  FrameLimits frame_limits;
  csta::Limits xml_limits;
  /// TLS when set (docs/protocol.md: e.g. 4722). The context holds CA and verify mode.
  std::shared_ptr<net::ssl::context> tls;
  std::string tls_server_name;  ///< SNI and host name check; empty: node.host
};

struct LinkHandlers {
  /// Unsolicited events (invoke ID 9999), decoded.
  std::function<void(const csta::Message&)> on_event;
  /// The link went down by itself (not after stop()); called at most once.
  std::function<void(const Error&)> on_down;
  /// A heartbeat was answered positively.
  std::function<void()> on_heartbeat;
};

/// How long each step of start() took, for the probe.
struct LinkTimings {
  std::chrono::microseconds connect{0};    ///< 0: not connected
  std::chrono::microseconds tls{0};        ///< 0: no TLS
  std::chrono::microseconds session{0};    ///< StartApplicationSession round trip
  std::chrono::microseconds heartbeat{0};  ///< the last heartbeat's round trip; 0: none yet
};

enum class LinkState { idle, connecting, starting, active, stopping, closed };

class Link : public std::enable_shared_from_this<Link> {
 public:
  using Reply = std::function<void(Result<csta::Message>)>;
  using Done = std::function<void(Result<void>)>;

  static std::shared_ptr<Link> create(net::io_context& ioc, LinkOptions options,
                                      LinkHandlers handlers = {});
  ~Link();
  Link(const Link&) = delete;
  Link& operator=(const Link&) = delete;

  /// Connect, TLS if configured, start the application session. `done` once, with the first
  /// failure or success; heartbeats start on success.
  void start(Done done);
  /// Sends `body` (in the session's edition) and calls `reply` once.
  void request(csta::Body body, Reply reply);
  /// One heartbeat round trip now.
  void heartbeat(Done done);
  /// StopApplicationSession (answered or not within request_timeout), then close. Pending
  /// requests fail with Errc::stopped.
  void stop(Done done);
  /// Close at once (no StopApplicationSession); pending requests fail with Errc::stopped.
  void close();

  LinkState state() const { return state_; }
  const std::string& session_id() const { return session_id_; }
  unsigned session_duration() const { return actual_duration_; }
  const LinkTimings& timings() const { return timings_; }
  const NodeAddress& node() const { return options_.node; }
  /// Requests whose reply has not been called yet (sent or waiting their turn).
  std::size_t outstanding() const { return pending_.size(); }
  /// NUL-terminated framing: requests waiting behind the one on the wire (always 0 otherwise).
  std::size_t waiting_to_send() const { return unsent_.size(); }
  /// Whether responses are matched by order, one request at a time (NUL-terminated framing).
  bool one_at_a_time() const { return by_order_; }

 private:
  struct Pending {
    Reply reply;
    std::unique_ptr<net::steady_timer> timer;
    std::string request;  ///< its element name ("MakeCall"): what a response must answer
    std::string xml;      ///< by_order_: the body, until its turn comes to be sent
  };

  Link(net::io_context& ioc, LinkOptions options, LinkHandlers handlers);
  void on_connected(Done done);
  void start_session(Done done);
  void send_request(csta::Body body, Reply reply, bool allow_inactive);
  void arm_request_timer(int id);
  void send_frame(int invoke_id, std::string body);
  /// by_order_: sends the next waiting request unless one is on the wire or a late answer is due.
  void send_next();
  void on_unnumbered_frame(const std::string& body, Result<csta::Message> m);
  void write_next();
  void read_next();
  void on_bytes(std::size_t n);
  void on_frame(Frame frame);
  void schedule_heartbeat();
  void fail(const Error& error);
  void shutdown(const Error& pending_error);
  template <class F>
  void with_stream(F&& f);

  net::io_context& ioc_;
  LinkOptions options_;
  LinkHandlers handlers_;
  net::ip::tcp::resolver resolver_;
  net::ip::tcp::socket socket_;
  std::unique_ptr<net::ssl::stream<net::ip::tcp::socket>> tls_;
  net::steady_timer connect_timer_;
  net::steady_timer heartbeat_timer_;
  net::steady_timer frame_timer_;
  bool frame_timer_armed_ = false;
  FrameDecoder decoder_;
  std::string read_buffer_;
  std::deque<std::string> write_queue_;
  bool writing_ = false;
  bool reading_ = false;
  std::map<int, Pending> pending_;
  InvokeIds invoke_ids_;
  // --- NUL-terminated framing: matched by order (see the header comment) ---
  bool by_order_ = false;
  std::deque<int> unsent_;      ///< keys of pending_ not sent yet, in request order
  int on_wire_ = kNoInvokeId;   ///< the key of the request sent and not answered
  bool late_expected_ = false;  ///< the request on the wire timed out: its answer may still come
  net::steady_timer late_timer_;
  unsigned late_generation_ = 0;  ///< tells a stale late_timer_ wake-up from the current one
  LinkState state_ = LinkState::idle;
  std::string session_id_;
  unsigned actual_duration_ = 0;
  csta::Namespace edition_;
  LinkTimings timings_;
};

/// The positive response, or the CSTAErrorCode / NegResponse turned into an Error (Errc::
/// session_refused with the category/value as detail) for callers that want one path.
Result<csta::Message> expect_positive(Result<csta::Message> reply);

}  // namespace rcc::cti
