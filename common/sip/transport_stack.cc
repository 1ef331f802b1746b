#include "sip/transport_stack.h"

#include <boost/asio/connect.hpp>

#include "sip/error.h"
#include "util/log.h"

namespace rcc::sip {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

struct Stack::Listener {
  explicit Listener(net::io_context& io) : acceptor(io) {}
  tcp::acceptor acceptor;
  std::shared_ptr<net::ssl::context> tls;  // null: plain TCP
};

Stack::Stack(net::io_context& io, DialogHandler& app, DialogConfig config,
             ConnectionOptions options, TimerConfig timers)
    : io_(io), options_(options), dialogs_(*this, app, std::move(config), timers) {}

Stack::~Stack() {
  stop();
}

namespace {
Result<std::uint16_t> open_acceptor(tcp::acceptor& a, const std::string& address,
                                    std::uint16_t port) {
  error_code ec;
  const auto addr = net::ip::make_address(address, ec);
  if (ec) return Error(Errc::transport_closed, "bad listen address " + address);
  const tcp::endpoint ep(addr, port);
  a.open(ep.protocol(), ec);
  if (!ec) a.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) a.bind(ep, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return Error(Errc::transport_closed, "listen on " + address + ": " + ec.message());
  return a.local_endpoint().port();
}
}  // namespace

Result<std::uint16_t> Stack::listen_tcp(const std::string& address, std::uint16_t port) {
  auto l = std::make_unique<Listener>(io_);
  auto bound = open_acceptor(l->acceptor, address, port);
  if (!bound) return bound;
  accept(*l);
  listeners_.push_back(std::move(l));
  return bound;
}

Result<std::uint16_t> Stack::listen_tls(const std::string& address, std::uint16_t port,
                                        const TlsOptions& tls) {
  auto ctx = make_tls_context(tls, TlsRole::server);
  if (!ctx) return ctx.error();
  auto l = std::make_unique<Listener>(io_);
  l->tls = *ctx;
  auto bound = open_acceptor(l->acceptor, address, port);
  if (!bound) return bound;
  accept(*l);
  listeners_.push_back(std::move(l));
  return bound;
}

void Stack::accept(Listener& l) {
  l.acceptor.async_accept([this, &l](const error_code& ec, tcp::socket socket) {
    if (ec == net::error::operation_aborted || stopped_) return;  // we stopped it
    if (!ec) {
      adopt(std::move(socket), l.tls, true);
    } else {
      util::logger("sip")->warn("accept failed: {}", ec.message());
    }
    accept(l);
  });
}

Flow Stack::adopt(tcp::socket socket, std::shared_ptr<net::ssl::context> tls, bool server) {
  const Flow flow = next_flow_++;
  auto c = make_connection(std::move(socket), flow, std::move(tls), server, *this, options_);
  connections_[flow] = c;
  c->start();
  return flow;
}

void Stack::connect(const std::string& address, std::uint16_t port, const TlsOptions* tls,
                    std::function<void(Result<Flow>)> done) {
  std::shared_ptr<net::ssl::context> ctx;
  if (tls) {
    auto made = make_tls_context(*tls, TlsRole::client);
    if (!made) return done(made.error());
    ctx = *made;
  }
  error_code ec;
  const auto addr = net::ip::make_address(address, ec);
  if (ec) return done(Error(Errc::transport_closed, "bad address " + address));
  auto socket = std::make_shared<tcp::socket>(io_);
  auto timer = std::make_shared<net::steady_timer>(io_);
  timer->expires_after(options_.handshake_timeout);
  timer->async_wait([socket](const error_code& e) {
    if (!e) socket->close();  // connect deadline: the connect handler sees the abort
  });
  socket->async_connect(tcp::endpoint(addr, port),
                        [this, socket, timer, ctx, done](const error_code& e) {
                          timer->cancel();
                          if (e || stopped_)
                            return done(Error(Errc::transport_closed, "connect: " + e.message()));
                          done(adopt(std::move(*socket), ctx, false));
                        });
}

const Connection* Stack::connection(Flow flow) const {
  const auto it = connections_.find(flow);
  return it == connections_.end() ? nullptr : it->second.get();
}

bool Stack::send_raw(Flow flow, const Message& m) {
  const auto it = connections_.find(flow);
  if (it == connections_.end()) return false;
  it->second->send(serialize(m));
  return true;
}

void Stack::send(Flow flow, const Message& m) {
  if (!send_raw(flow, m))
    util::logger("sip")->debug("flow={} gone, dropping {}", flow,
                               m.is_request() ? m.method : std::to_string(m.status));
}

void Stack::start_timer(TimerOwner owner, Timer timer, std::chrono::milliseconds after) {
  if (stopped_) return;
  const auto id = next_timer_++;
  auto t = std::make_unique<net::steady_timer>(io_);
  t->expires_after(after);
  t->async_wait([this, id, owner, timer](const error_code& ec) {
    if (ec) return;  // cancelled by stop()
    timers_.erase(id);
    dialogs_.timer_fired(owner, timer);
  });
  timers_[id] = std::move(t);
}

void Stack::on_open(Connection& c) {
  util::logger("sip")->info("flow={} peer={} open{}{}", c.flow(), c.peer(),
                            c.secure() ? " tls subject=" : "", c.peer_subject());
}

void Stack::on_frame(Connection& c, StreamFramer::Frame frame) {
  switch (frame.kind) {
    case StreamFramer::Kind::ping:
      c.send(std::string(kPong));
      return;
    case StreamFramer::Kind::pong:
      return;
    case StreamFramer::Kind::message:
      dialogs_.receive(c.flow(), frame.message);
      return;
  }
}

void Stack::on_closed(Connection& c, std::error_code why) {
  const Flow flow = c.flow();
  util::logger("sip")->info("flow={} closed: {}", flow, why ? why.message() : "by peer");
  // Keep the connection alive until this handler returns; erase after.
  auto keep = connections_[flow];
  connections_.erase(flow);
  if (!stopped_) dialogs_.flow_closed(flow);
}

void Stack::stop() {
  if (stopped_) return;
  stopped_ = true;
  for (auto& l : listeners_) {
    error_code ignored;
    l->acceptor.close(ignored);
  }
  for (auto& [id, t] : timers_)
    t->cancel();
  auto connections = connections_;
  for (auto& [flow, c] : connections)
    c->close();
  connections_.clear();
}

}  // namespace rcc::sip
