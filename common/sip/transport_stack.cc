#include "sip/transport_stack.h"

#include <boost/asio/connect.hpp>

#include <deque>

#include "sip/error.h"
#include "sip/headers.h"
#include "sip/uri.h"
#include "util/log.h"

namespace rcc::sip {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using boost::system::error_code;

// A connection we are opening: the resolver, the socket and what waits to be written on it.
struct Stack::Outbound {
  explicit Outbound(net::io_context& io) : resolver(io), socket(io), timer(io) {}
  tcp::resolver resolver;
  tcp::socket socket;
  net::steady_timer timer;
  /// Written once the connection is up; each with the connection of the peer it is for (its
  /// dialog's), used instead when the hop cannot be reached. Requests of several dialogs wait
  /// here when their peers name the same hop.
  std::vector<std::pair<std::string, Flow>> queue;
  /// The fallback of each request routed here and not sent yet, in route() order.
  std::deque<Flow> routed;
  bool tls = false;
};

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
      error_code e;
      const auto remote = socket.remote_endpoint(e);
      const std::string address = e ? std::string("?") : remote.address().to_string();
      if (connections_.size() >= max_connections) {
        util::logger("sip")->warn("peer={} refused: {} connections open, the most allowed", address,
                                  connections_.size());
        socket.close(e);
      } else if (accept_filter && !accept_filter(address)) {
        socket.close(e);  // the filter logs (rate-limited); nothing was read
      } else {
        adopt(std::move(socket), l.tls, true);
      }
    } else {
      util::logger("sip")->warn("accept failed: {}", ec.message());
    }
    accept(l);
  });
}

Flow Stack::adopt(tcp::socket socket, std::shared_ptr<net::ssl::context> tls, bool server,
                  Flow flow) {
  if (flow == 0) flow = next_flow_++;
  error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);  // one small SIP message at a time: no Nagle
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
  if (it != connections_.end()) {
    it->second->send(serialize(m));
    return true;
  }
  const auto o = outbound_.find(flow);
  if (o == outbound_.end()) return false;
  Flow fallback = 0;
  if (!o->second->routed.empty()) {
    fallback = o->second->routed.front();
    o->second->routed.pop_front();
  }
  o->second->queue.emplace_back(serialize(m), fallback);  // written once the connection is up
  return true;
}

Result<void> Stack::set_client_tls(const TlsOptions& tls) {
  auto ctx = make_tls_context(tls, TlsRole::client);
  if (!ctx) return ctx.error();
  client_tls_ = *ctx;
  return {};
}

void Stack::replace_tls(std::shared_ptr<net::ssl::context> server,
                        std::shared_ptr<net::ssl::context> client) {
  for (auto& l : listeners_)
    if (l->tls && server) l->tls = server;
  if (client) client_tls_ = std::move(client);
}

std::size_t Stack::tls_connection_count() const {
  std::size_t n = 0;
  for (const auto& [flow, c] : connections_)
    n += c->secure() ? 1 : 0;
  return n;
}

std::string Stack::local_contact(Flow flow) {
  const auto it = connections_.find(flow);
  const bool secure = it != connections_.end() && it->second->secure();
  return secure ? identity_.tls_contact : identity_.tcp_contact;
}

TransactionSink::Route Stack::route(const Message& request, Flow inbound) {
  const auto via_for = [this](Flow flow) {
    const auto it = connections_.find(flow);
    const bool secure = it != connections_.end() && it->second->secure();
    return Route{flow, secure ? "TLS" : "TCP",
                 secure ? identity_.tls_sent_by : identity_.tcp_sent_by};
  };
  // RFC 3261 §8.1.2: the next hop is the top Route (a loose router), else the Request-URI
  // (build_request has already put a strict router's URI there).
  std::string next = request.request_uri;
  if (const std::string* top = request.header("Route")) {
    auto routes = parse_name_addr_list(*top);
    if (routes && !routes->empty()) next = routes->front().uri;
  }
  auto hop = parse_sip_uri(next);
  if (!hop) {
    util::logger("sip")->warn("next hop {} unusable ({}); using the peer's connection", next,
                              hop.error().message());
    return via_for(inbound);
  }
  const bool tls = hop->transport() == "tls";
  const std::uint16_t port = hop->port_or_default();
  const std::string key = (tls ? "tls|" : "tcp|") + hop->host + "|" + std::to_string(port);
  // The peer's own connection is the next hop when it comes from that very address and port.
  if (open(inbound) && connections_.at(inbound)->peer() == hop->host + ":" + std::to_string(port))
    return via_for(inbound);
  if (const auto it = outbound_by_hop_.find(key);
      it != outbound_by_hop_.end() && (open(it->second) || outbound_.count(it->second))) {
    if (const auto pending = outbound_.find(it->second); pending != outbound_.end())
      pending->second->routed.push_back(open(inbound) ? inbound : 0);
    return via_for(it->second);
  }
  if (const auto u = unreachable_.find(key); u != unreachable_.end()) {
    if (std::chrono::steady_clock::now() < u->second && open(inbound)) return via_for(inbound);
    unreachable_.erase(u);
  }
  if (tls && !client_tls_) {
    util::logger("sip")->warn("next hop {} wants TLS and no client TLS is set up", next);
    return via_for(inbound);
  }
  const Flow flow = next_flow_++;
  auto out = std::make_unique<Outbound>(io_);
  out->routed.push_back(open(inbound) ? inbound : 0);
  out->tls = tls;
  outbound_[flow] = std::move(out);
  outbound_by_hop_[key] = flow;
  hop_of_[flow] = key;
  open_outbound(flow, hop->host, port, tls);
  return Route{flow, tls ? "TLS" : "TCP", tls ? identity_.tls_sent_by : identity_.tcp_sent_by};
}

void Stack::open_outbound(Flow flow, const std::string& host, std::uint16_t port, bool tls) {
  Outbound& o = *outbound_.at(flow);
  o.timer.expires_after(options_.handshake_timeout);
  o.timer.async_wait([this, flow](const error_code& ec) {
    if (ec) return;
    if (const auto it = outbound_.find(flow); it != outbound_.end()) {
      error_code ignored;
      it->second->resolver.cancel();
      it->second->socket.close(ignored);  // the pending step fails with operation_aborted
    }
  });
  o.resolver.async_resolve(
      host, std::to_string(port),
      [this, flow, host, port, tls](const error_code& ec, tcp::resolver::results_type results) {
        if (stopped_ || !outbound_.count(flow)) return;
        if (ec) return outbound_failed(flow, "resolve " + host + ": " + ec.message());
        net::async_connect(
            outbound_.at(flow)->socket, results,
            [this, flow, host, port, tls](const error_code& e, const tcp::endpoint&) {
              if (stopped_ || !outbound_.count(flow)) return;
              if (e)
                return outbound_failed(
                    flow, "connect " + host + ":" + std::to_string(port) + ": " + e.message());
              auto done = std::move(outbound_.at(flow));
              outbound_.erase(flow);
              done->timer.cancel();
              adopt(std::move(done->socket), tls ? client_tls_ : nullptr, false, flow);
              for (auto& queued : done->queue)
                connections_.at(flow)->send(std::move(queued.first));
            });
      });
}

void Stack::outbound_failed(Flow flow, const std::string& why) {
  auto o = std::move(outbound_.at(flow));
  outbound_.erase(flow);
  const std::string key = hop_of_[flow];
  hop_of_.erase(flow);
  if (outbound_by_hop_[key] == flow) outbound_by_hop_.erase(key);
  unreachable_[key] = std::chrono::steady_clock::now() + kUnreachableHold;
  std::size_t delivered = 0, lost = 0;
  for (auto& [bytes, fallback] : o->queue) {
    if (fallback && open(fallback)) {
      connections_.at(fallback)->send(std::move(bytes));
      ++delivered;
    } else {
      ++lost;
    }
  }
  if (delivered)
    util::logger("sip")->info("{}; using the peer's connection instead ({} request(s))", why,
                              delivered);
  if (lost || !delivered) {
    util::logger("sip")->warn("{}; {} request(s) for it fail", why, lost);
    // Its client transactions fail with transport_closed (those sent on a fallback connection
    // too, when some could not be: their peer's connection is gone).
    if (!delivered) dialogs_.flow_closed(flow);
  }
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
    if (ec) return;  // cancelled by stop() or cancel_timers()
    timers_.erase(id);
    for (auto [i, end] = timers_of_.equal_range(owner); i != end; ++i) {
      if (i->second == id) {
        timers_of_.erase(i);
        break;
      }
    }
    dialogs_.timer_fired(owner, timer);
  });
  timers_[id] = std::move(t);
  timers_of_.emplace(owner, id);
}

void Stack::cancel_timers(TimerOwner owner) {
  const auto [begin, end] = timers_of_.equal_range(owner);
  for (auto i = begin; i != end; ++i) {
    if (const auto t = timers_.find(i->second); t != timers_.end()) {
      t->second->cancel();
      timers_.erase(t);  // the handler sees operation_aborted and touches nothing
    }
  }
  timers_of_.erase(begin, end);
}

void Stack::on_open(Connection& c) {
  util::logger("sip")->info("flow={} peer={} open{}{}", c.flow(), c.peer(),
                            c.secure() ? " tls subject=" : "", c.peer_subject());
  if (admit && !hop_of_.count(c.flow()) && !admit(c)) c.close();
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
  if (const auto h = hop_of_.find(flow); h != hop_of_.end()) {
    if (const auto o = outbound_by_hop_.find(h->second);
        o != outbound_by_hop_.end() && o->second == flow)
      outbound_by_hop_.erase(o);
    hop_of_.erase(h);
  }
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
  for (auto& [flow, o] : outbound_) {
    error_code ignored;
    o->resolver.cancel();
    o->timer.cancel();
    o->socket.close(ignored);
  }
}

}  // namespace rcc::sip
