#include "cti/link.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/rfc2818_verification.hpp>
#include <boost/asio/write.hpp>

#include "csta/message_kind.h"
#include "util/log.h"

namespace rcc::cti {
namespace {

using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::size_t kReadChunk = 16 * 1024;

std::chrono::microseconds since(Clock::time_point t0) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0);
}

bool is_session_refusal_for_permission(const csta::Choice& c) {
  // The simulator (and our reading of CUCM) reports a missing "Standard CTI Enabled" group as a
  // vendor error whose text names the permission; invalidApplicationInfo means bad credentials.
  return c.value.find("ermission") != std::string::npos;
}

}  // namespace

std::string NodeAddress::name() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

Result<NodeAddress> parse_node_address(std::string_view text) {
  NodeAddress a;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return Error(Errc::bad_address, "'" + std::string(text) + "' is not [HOST]:PORT");
    a.host = std::string(text.substr(1, close - 1));
    port = text.substr(close + 2);
  } else {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
      return Error(Errc::bad_address, "'" + std::string(text) + "' is not HOST:PORT");
    a.host = std::string(text.substr(0, colon));
    if (a.host.find(':') != std::string::npos)
      return Error(Errc::bad_address, "'" + std::string(text) + "': write IPv6 as [HOST]:PORT");
    port = text.substr(colon + 1);
  }
  unsigned value = 0;
  for (char c : port) {
    if (c < '0' || c > '9' || value > 65535)
      return Error(Errc::bad_address, "'" + std::string(text) + "': port is not a number");
    value = value * 10 + unsigned(c - '0');
  }
  if (port.empty() || value > 65535)
    return Error(Errc::bad_address, "'" + std::string(text) + "': port is not 0..65535");
  a.port = std::string(port);
  return a;
}

std::shared_ptr<Link> Link::create(net::io_context& ioc, LinkOptions options,
                                   LinkHandlers handlers) {
  return std::shared_ptr<Link>(new Link(ioc, std::move(options), std::move(handlers)));
}

Link::Link(net::io_context& ioc, LinkOptions options, LinkHandlers handlers)
    : ioc_(ioc),
      options_(std::move(options)),
      handlers_(std::move(handlers)),
      resolver_(ioc),
      socket_(ioc),
      connect_timer_(ioc),
      heartbeat_timer_(ioc),
      frame_timer_(ioc),
      decoder_(options_.frame_limits),
      by_order_(options_.frame_limits.framing == Framing::nul_terminated),
      late_timer_(ioc),
      edition_(options_.edition) {}

Link::~Link() = default;

template <class F>
void Link::with_stream(F&& f) {
  if (tls_)
    f(*tls_);
  else
    f(socket_);
}

void Link::start(Done done) {
  if (state_ != LinkState::idle) {
    net::post(ioc_, [done] { done(Error(Errc::not_active, "start() called twice")); });
    return;
  }
  state_ = LinkState::connecting;
  const auto t0 = Clock::now();
  auto self = shared_from_this();
  connect_timer_.expires_after(options_.connect_timeout);
  connect_timer_.async_wait([self, done](boost::system::error_code ec) {
    if (ec || self->state_ != LinkState::connecting) return;
    const Error e(Errc::connect_timeout,
                  self->options_.node.name() + ": no connection within " +
                      std::to_string(self->options_.connect_timeout.count()) + " ms");
    self->shutdown(e);
    done(e);
  });
  resolver_.async_resolve(
      options_.node.host, options_.node.port,
      [self, done, t0](boost::system::error_code ec, tcp::resolver::results_type results) {
        if (self->state_ != LinkState::connecting) return;
        if (ec) {
          const Error e(Errc::connect_failed, self->options_.node.name() + ": " + ec.message());
          self->shutdown(e);
          done(e);
          return;
        }
        net::async_connect(self->socket_, results,
                           [self, done, t0](boost::system::error_code ec2, const tcp::endpoint&) {
                             if (self->state_ != LinkState::connecting) return;
                             if (ec2) {
                               const Error e(Errc::connect_failed,
                                             self->options_.node.name() + ": " + ec2.message());
                               self->shutdown(e);
                               done(e);
                               return;
                             }
                             self->timings_.connect = since(t0);
                             self->on_connected(done);
                           });
      });
}

void Link::on_connected(Done done) {
  boost::system::error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  if (!options_.tls) {
    connect_timer_.cancel();
    start_session(std::move(done));
    return;
  }
  tls_ = std::make_unique<net::ssl::stream<tcp::socket>>(std::move(socket_), *options_.tls);
  const std::string sni =
      options_.tls_server_name.empty() ? options_.node.host : options_.tls_server_name;
  // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
  SSL_ctrl(tls_->native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(sni.c_str()));
  tls_->set_verify_callback(net::ssl::rfc2818_verification(sni));
  const auto t0 = Clock::now();
  auto self = shared_from_this();
  tls_->async_handshake(
      net::ssl::stream_base::client, [self, done, t0](boost::system::error_code ec) {
        if (self->state_ != LinkState::connecting) return;
        self->connect_timer_.cancel();
        if (ec) {
          const Error e(Errc::tls_failed, self->options_.node.name() + ": " + ec.message());
          self->shutdown(e);
          done(e);
          return;
        }
        self->timings_.tls = since(t0);
        self->start_session(done);
      });
}

void Link::start_session(Done done) {
  state_ = LinkState::starting;
  read_next();
  csta::StartApplicationSession start;
  start.application_id = options_.application_id;
  csta::SessionLogin login;
  login.avaya = options_.avaya_login;
  login.user_name = options_.user;
  login.password = options_.password;
  start.login = login;
  start.protocol_versions.emplace_back(csta::namespace_uri(options_.edition));
  start.requested_session_duration = options_.session_duration;
  const auto t0 = Clock::now();
  auto self = shared_from_this();
  send_request(
      std::move(start),
      [self, done, t0](Result<csta::Message> r) {
        if (!r) {
          // Unanswered or link lost: a link without a session is of no use to anyone.
          self->shutdown(r.error());
          done(r.error());
          return;
        }
        if (auto* pos = std::get_if<csta::StartApplicationSessionPosResponse>(&r->body)) {
          self->session_id_ = pos->session_id;
          self->actual_duration_ =
              pos->actual_session_duration.value_or(self->options_.session_duration);
          if (auto ns = csta::namespace_from_uri(pos->actual_protocol_version))
            self->edition_ = *ns;
          self->state_ = LinkState::active;
          self->timings_.session = since(t0);
          util::logger("cti")->info(
              "node={} session={} active ({} s){}", self->options_.node.name(), self->session_id_,
              self->actual_duration_,
              self->by_order_ ? "; NUL-terminated framing: one request at a time, answers "
                                "matched by order"
                              : "");
          self->schedule_heartbeat();
          done({});
          return;
        }
        Error e(Errc::session_refused, self->options_.node.name() + ": unexpected " +
                                           std::string(csta::element_name(r->body)));
        if (auto* neg = std::get_if<csta::StartApplicationSessionNegResponse>(&r->body)) {
          const auto& c = neg->error_code;
          const std::string what = self->options_.node.name() + ": " + c.name + " " + c.value;
          if (c.name == "definedError" && c.value == "invalidApplicationInfo")
            e = Error(Errc::bad_credentials, what);
          else if (is_session_refusal_for_permission(c))
            e = Error(Errc::no_permission, what);
          else
            e = Error(Errc::session_refused, what);
        }
        self->shutdown(e);
        done(e);
      },
      true);
}

void Link::request(csta::Body body, Reply reply) {
  send_request(std::move(body), std::move(reply), false);
}

void Link::send_request(csta::Body body, Reply reply, bool allow_inactive) {
  if (state_ != LinkState::active && !(allow_inactive && state_ != LinkState::closed)) {
    const Error e(Errc::not_active, options_.node.name() + ": no active session");
    net::post(ioc_, [reply = std::move(reply), e] { reply(e); });
    return;
  }
  const int id = invoke_ids_.next([this](int k) { return pending_.count(k) != 0; });
  if (id == kNoInvokeId) {
    const Error e(Errc::request_timeout, "9998 requests outstanding");
    net::post(ioc_, [reply = std::move(reply), e] { reply(e); });
    return;
  }
  Pending p{std::move(reply),
            std::make_unique<net::steady_timer>(ioc_),
            std::string(csta::element_name(body)),
            {}};
  std::string xml =
      csta::encode(csta::Message{edition_, std::move(body)}, csta::EncodeOptions{false});
  if (by_order_) {
    // The key is ours only: NUL-terminated frames carry no invoke ID.
    p.xml = std::move(xml);
    pending_.emplace(id, std::move(p));
    unsent_.push_back(id);
    send_next();
    return;
  }
  pending_.emplace(id, std::move(p));
  arm_request_timer(id);
  send_frame(id, std::move(xml));
}

void Link::arm_request_timer(int id) {
  auto& timer = *pending_.at(id).timer;
  timer.expires_after(options_.request_timeout);
  auto self = shared_from_this();
  timer.async_wait([self, id](boost::system::error_code ec) {
    if (ec) return;
    auto it = self->pending_.find(id);
    if (it == self->pending_.end()) return;
    Reply r = std::move(it->second.reply);
    const std::string what = std::move(it->second.request);
    self->pending_.erase(it);
    util::logger("cti")->warn("node={} invoke={} {} no response within {} ms",
                              self->options_.node.name(), id, what,
                              self->options_.request_timeout.count());
    if (self->by_order_ && self->on_wire_ == id) {
      // Its answer may still come: hold the next request until it does, or until another
      // request_timeout has passed, so that answer is not taken for the next request's.
      self->on_wire_ = kNoInvokeId;
      self->late_expected_ = true;
      const unsigned generation = ++self->late_generation_;
      self->late_timer_.expires_after(self->options_.request_timeout);
      self->late_timer_.async_wait([self, generation](boost::system::error_code ec2) {
        if (ec2 || self->state_ == LinkState::closed || !self->late_expected_ ||
            generation != self->late_generation_)
          return;
        self->late_expected_ = false;
        util::logger("cti")->info("node={} no late answer within {} ms; sending the next request",
                                  self->options_.node.name(),
                                  self->options_.request_timeout.count());
        self->send_next();
      });
    }
    r(Error(Errc::request_timeout, self->options_.node.name() + ": no response within " +
                                       std::to_string(self->options_.request_timeout.count()) +
                                       " ms"));
  });
}

void Link::send_next() {
  if (!by_order_ || state_ == LinkState::closed || on_wire_ != kNoInvokeId || late_expected_)
    return;
  while (!unsent_.empty()) {
    const int id = unsent_.front();
    unsent_.pop_front();
    auto it = pending_.find(id);
    if (it == pending_.end()) continue;
    on_wire_ = id;
    std::string xml = std::move(it->second.xml);
    arm_request_timer(id);
    send_frame(kNoInvokeId, std::move(xml));
    return;
  }
}

void Link::send_frame(int invoke_id, std::string body) {
  auto frame = encode_frame(invoke_id, body, options_.frame_limits);
  if (!frame) {
    fail(frame.error());
    return;
  }
  write_queue_.push_back(std::move(*frame));
  if (!writing_) write_next();
}

void Link::write_next() {
  if (write_queue_.empty() || state_ == LinkState::closed) {
    writing_ = false;
    return;
  }
  writing_ = true;
  auto self = shared_from_this();
  with_stream([&](auto& stream) {
    net::async_write(stream, net::buffer(write_queue_.front()),
                     [self](boost::system::error_code ec, std::size_t) {
                       if (self->state_ == LinkState::closed) return;
                       if (ec) {
                         self->fail(Error(Errc::link_down,
                                          self->options_.node.name() + ": write: " + ec.message()));
                         return;
                       }
                       self->write_queue_.pop_front();
                       self->write_next();
                     });
  });
}

void Link::read_next() {
  if (state_ == LinkState::closed) return;
  read_buffer_.resize(kReadChunk);
  auto self = shared_from_this();
  reading_ = true;
  with_stream([&](auto& stream) {
    stream.async_read_some(
        net::buffer(read_buffer_), [self](boost::system::error_code ec, std::size_t n) {
          self->reading_ = false;
          if (self->state_ == LinkState::closed) return;
          if (ec) {
            self->fail(Error(Errc::link_down, self->options_.node.name() + ": " + ec.message()));
            return;
          }
          self->on_bytes(n);
        });
  });
}

void Link::on_bytes(std::size_t n) {
  std::vector<Frame> frames;
  auto fed = decoder_.feed(std::string_view(read_buffer_.data(), n), frames);
  for (auto& f : frames) {
    if (state_ == LinkState::closed) return;
    on_frame(std::move(f));
  }
  if (state_ == LinkState::closed) return;
  if (!fed) {
    fail(Error(Errc::garbage, options_.node.name() + ": " + fed.error().message()));
    return;
  }
  if (decoder_.mid_frame() && !frame_timer_armed_) {
    frame_timer_armed_ = true;
    frame_timer_.expires_after(options_.frame_timeout);
    auto self = shared_from_this();
    frame_timer_.async_wait([self](boost::system::error_code ec) {
      self->frame_timer_armed_ = false;
      if (ec || self->state_ == LinkState::closed || !self->decoder_.mid_frame()) return;
      self->fail(Error(Errc::frame_timeout, self->options_.node.name() + ": " +
                                                std::to_string(self->decoder_.buffered()) +
                                                " bytes of a frame, then nothing"));
    });
  } else if (!decoder_.mid_frame() && frame_timer_armed_) {
    frame_timer_.cancel();
  }
  read_next();
}

namespace {

// XML that is not well formed, hostile or oversized: the stream cannot be trusted, the link
// goes. Well-formed XML the codec does not model (an event type it does not know, a missing
// child, a value out of range) costs that event or that one request only.
bool xml_level(const Error& e) {
  const auto code = e.code();
  return code == csta::Errc::malformed_xml || code == csta::Errc::too_large ||
         code == csta::Errc::too_deep || code == csta::Errc::doctype_refused;
}

}  // namespace

void Link::on_frame(Frame frame) {
  auto log = util::logger("cti");
  auto m = csta::decode(frame.body, options_.xml_limits, csta::DecodeOptions{true});
  if (by_order_) {
    on_unnumbered_frame(frame.body, std::move(m));
    return;
  }
  if (!m) {
    if (!xml_level(m.error())) {
      if (frame.is_event()) {
        log->info("node={} skipping an event it does not model: {}", options_.node.name(),
                  m.error().message());
        return;
      }
      if (auto it = pending_.find(frame.invoke_id); it != pending_.end()) {
        log->warn("node={} invoke={} response not understood: {}", options_.node.name(),
                  frame.invoke_id, m.error().message());
        Reply reply = std::move(it->second.reply);
        it->second.timer->cancel();
        pending_.erase(it);
        reply(Error(Errc::garbage, options_.node.name() + ": invoke " +
                                       std::to_string(frame.invoke_id) + ": " +
                                       m.error().message()));
        return;
      }
    }
    fail(Error(Errc::garbage, options_.node.name() + ": invoke " + std::to_string(frame.invoke_id) +
                                  ": " + m.error().message()));
    return;
  }
  log->trace("node={} <- {} invoke={}", options_.node.name(), csta::element_name(m->body),
             frame.invoke_id);
  if (frame.is_event()) {
    if (auto* t = std::get_if<csta::ApplicationSessionTerminated>(&m->body)) {
      fail(Error(Errc::session_terminated,
                 options_.node.name() + ": " + t->term_reason.name + " " + t->term_reason.value));
      return;
    }
    if (handlers_.on_event) handlers_.on_event(*m);
    return;
  }
  if (std::holds_alternative<csta::SystemStatus>(m->body)) {
    send_frame(frame.invoke_id, csta::encode(csta::answer(*m, csta::SystemStatusResponse{}),
                                             csta::EncodeOptions{false}));
    return;
  }
  auto it = pending_.find(frame.invoke_id);
  if (it == pending_.end()) {
    log->warn("node={} response with invoke ID {} that no request is waiting for",
              options_.node.name(), frame.invoke_id);
    return;
  }
  Reply reply = std::move(it->second.reply);
  it->second.timer->cancel();
  pending_.erase(it);
  reply(std::move(*m));
}

void Link::on_unnumbered_frame(const std::string& body, Result<csta::Message> m) {
  auto log = util::logger("cti");
  const std::string& node = options_.node.name();
  if (!m && xml_level(m.error())) {
    fail(Error(Errc::garbage, node + ": " + m.error().message()));
    return;
  }
  std::string name;
  if (m) {
    name = std::string(csta::element_name(m->body));
  } else if (auto root = csta::root_element_name(body, options_.xml_limits)) {
    name = std::move(*root);
  }
  log->trace("node={} <- {}", node, name);
  switch (csta::message_kind(name)) {
    case csta::MessageKind::event:
      if (!m) {
        log->info("node={} skipping an event it does not model: {}", node, m.error().message());
        return;
      }
      if (auto* t = std::get_if<csta::ApplicationSessionTerminated>(&m->body)) {
        fail(Error(Errc::session_terminated,
                   node + ": " + t->term_reason.name + " " + t->term_reason.value));
        return;
      }
      if (handlers_.on_event) handlers_.on_event(*m);
      return;
    case csta::MessageKind::request:
      if (m && std::holds_alternative<csta::SystemStatus>(m->body)) {
        send_frame(kNoInvokeId, csta::encode(csta::answer(*m, csta::SystemStatusResponse{}),
                                             csta::EncodeOptions{false}));
        return;
      }
      log->info("node={} skipping a <{}> request from the node: not served", node, name);
      return;
    case csta::MessageKind::response:
      break;
  }
  if (on_wire_ == kNoInvokeId) {
    if (late_expected_) {
      // The answer of the request that timed out: nobody waits for it any more.
      log->info("node={} late <{}> to a request that timed out, dropped", node, name);
      late_expected_ = false;
      late_timer_.cancel();
      send_next();
      return;
    }
    log->warn("node={} <{}> while no request is outstanding, dropped", node, name);
    return;
  }
  auto it = pending_.find(on_wire_);
  if (!csta::can_answer(it->second.request, name)) {
    log->warn("node={} <{}> cannot answer the <{}> outstanding, dropped", node, name,
              it->second.request);
    return;
  }
  Reply reply = std::move(it->second.reply);
  it->second.timer->cancel();
  pending_.erase(it);
  on_wire_ = kNoInvokeId;
  send_next();
  if (!m) {
    log->warn("node={} <{}> response not understood: {}", node, name, m.error().message());
    reply(Error(Errc::garbage, node + ": <" + name + ">: " + m.error().message()));
    return;
  }
  reply(std::move(*m));
}

void Link::schedule_heartbeat() {
  if (options_.heartbeat_interval.count() <= 0 || state_ != LinkState::active) return;
  heartbeat_timer_.expires_after(options_.heartbeat_interval);
  auto self = shared_from_this();
  heartbeat_timer_.async_wait([self](boost::system::error_code ec) {
    if (ec || self->state_ != LinkState::active) return;
    self->heartbeat([self](Result<void> r) {
      if (self->state_ != LinkState::active) return;
      if (!r) {
        self->fail(r.error());
        return;
      }
      self->schedule_heartbeat();
    });
  });
}

void Link::heartbeat(Done done) {
  csta::ResetApplicationSessionTimer reset;
  reset.session_id = session_id_;
  reset.requested_session_duration = options_.session_duration;
  auto self = shared_from_this();
  const auto sent = std::chrono::steady_clock::now();
  request(std::move(reset), [self, done, sent](Result<csta::Message> r) {
    if (!r) {
      done(r.error());
      return;
    }
    if (std::holds_alternative<csta::ResetApplicationSessionTimerPosResponse>(r->body)) {
      self->timings_.heartbeat = std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::steady_clock::now() - sent);
      if (self->handlers_.on_heartbeat) self->handlers_.on_heartbeat();
      done({});
      return;
    }
    std::string why(csta::element_name(r->body));
    if (auto* neg = std::get_if<csta::ResetApplicationSessionTimerNegResponse>(&r->body))
      why = neg->error_code.name + " " + neg->error_code.value;
    done(Error(Errc::heartbeat_refused, self->options_.node.name() + ": " + why));
  });
}

void Link::stop(Done done) {
  if (state_ != LinkState::active) {
    close();
    net::post(ioc_, [done] { done({}); });
    return;
  }
  state_ = LinkState::stopping;
  heartbeat_timer_.cancel();
  csta::StopApplicationSession stop;
  stop.session_id = session_id_;
  auto self = shared_from_this();
  send_request(
      std::move(stop),
      [self, done](Result<csta::Message> r) {
        self->close();
        if (!r) {
          done(r.error());
          return;
        }
        if (!std::holds_alternative<csta::StopApplicationSessionPosResponse>(r->body)) {
          done(Error(Errc::session_refused, self->options_.node.name() + ": stop answered with " +
                                                std::string(csta::element_name(r->body))));
          return;
        }
        done({});
      },
      true);
}

void Link::close() {
  shutdown(Error(Errc::stopped, options_.node.name() + ": link stopped"));
}

void Link::fail(const Error& error) {
  if (state_ == LinkState::closed) return;
  util::logger("cti")->warn("node={} dropped: {}", options_.node.name(), error.message());
  shutdown(error);
  if (handlers_.on_down) {
    auto on_down = std::move(handlers_.on_down);
    on_down(error);
  }
}

void Link::shutdown(const Error& pending_error) {
  if (state_ == LinkState::closed) return;
  state_ = LinkState::closed;
  boost::system::error_code ignored;
  resolver_.cancel();
  connect_timer_.cancel();
  heartbeat_timer_.cancel();
  frame_timer_.cancel();
  if (tls_) tls_->lowest_layer().close(ignored);
  socket_.close(ignored);
  late_timer_.cancel();
  write_queue_.clear();
  unsent_.clear();
  on_wire_ = kNoInvokeId;
  late_expected_ = false;
  // Callbacks may start new requests or drop the last reference: take the map out first.
  auto pending = std::move(pending_);
  pending_.clear();
  for (auto& [id, p] : pending) {
    p.timer->cancel();
    auto reply = std::move(p.reply);
    net::post(ioc_, [reply = std::move(reply), pending_error] { reply(pending_error); });
  }
}

Result<csta::Message> expect_positive(Result<csta::Message> reply) {
  if (!reply) return reply;
  if (auto* e = std::get_if<csta::CSTAErrorCode>(&reply->body))
    return Error(Errc::csta_error, e->category + "/" + e->value);
  return reply;
}

}  // namespace rcc::cti
