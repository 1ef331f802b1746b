#include "util/http.h"

#include <set>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace rcc::util {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr auto kRequestTimeout = std::chrono::seconds(10);
constexpr std::uint32_t kHeaderLimit = 8 * 1024;

/// A Boost error as a std::error_code (system errors keep their errno; others become io_error).
std::error_code std_code(const beast::error_code& ec) {
  if (ec == beast::error::timeout) return std::make_error_code(std::errc::timed_out);
  if (ec.category() == boost::system::system_category())
    return {ec.value(), std::system_category()};
  return std::make_error_code(std::errc::io_error);
}

}  // namespace

struct HttpServer::State : std::enable_shared_from_this<HttpServer::State> {
  State(net::io_context& io, Handler h) : ioc(io), acceptor(io), handler(std::move(h)) {}

  struct Conn : std::enable_shared_from_this<Conn> {
    Conn(tcp::socket s, std::weak_ptr<State> st) : stream(std::move(s)), state(std::move(st)) {}
    beast::tcp_stream stream;
    std::weak_ptr<State> state;
    beast::flat_buffer buffer;
    std::unique_ptr<http::request_parser<http::string_body>> parser;
    http::response<http::string_body> response;

    void read() {
      parser = std::make_unique<http::request_parser<http::string_body>>();
      parser->header_limit(kHeaderLimit);
      parser->body_limit(4096);  // read (and ignored) so that a POST still gets its 405
      stream.expires_after(kRequestTimeout);
      http::async_read(stream, buffer, *parser,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) {
                         if (ec) return self->close();
                         self->answer();
                       });
    }
    void answer() {
      auto st = state.lock();
      if (!st) return close();
      const auto& req = parser->get();
      response = {};
      response.version(req.version());
      response.keep_alive(req.keep_alive());
      response.set(http::field::server, "rcc-gatewayd");
      if (req.method() != http::verb::get && req.method() != http::verb::head) {
        response.result(http::status::method_not_allowed);
        response.set(http::field::allow, "GET, HEAD");
        response.set(http::field::content_type, "text/plain; charset=utf-8");
        response.body() = "read-only endpoint: GET or HEAD\n";
      } else {
        std::string_view target(req.target().data(), req.target().size());
        const HttpResponse r = st->handler(target.substr(0, target.find('?')));
        response.result(r.status);
        response.set(http::field::content_type, r.content_type);
        response.body() = req.method() == http::verb::head ? std::string() : r.body;
        if (req.method() == http::verb::head) {
          response.content_length(r.body.size());
        }
      }
      if (req.method() != http::verb::head) response.prepare_payload();
      stream.expires_after(kRequestTimeout);
      http::async_write(stream, response,
                        [self = shared_from_this()](beast::error_code ec, std::size_t) {
                          if (ec || !self->response.keep_alive()) return self->close();
                          self->read();
                        });
    }
    void close() {
      beast::error_code ec;
      stream.socket().shutdown(tcp::socket::shutdown_both, ec);
      stream.socket().close(ec);
      if (auto st = state.lock()) st->conns.erase(this);
    }
  };

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket s) {
      if (ec == net::error::operation_aborted || !self->acceptor.is_open()) return;
      if (!ec) {
        if (self->conns.size() >= kMaxConnections) {
          s.close(ec);
        } else {
          auto c = std::make_shared<Conn>(std::move(s), self);
          self->conns.insert(c.get());
          c->read();
        }
      }
      self->accept();
    });
  }

  net::io_context& ioc;
  tcp::acceptor acceptor;
  Handler handler;
  std::set<Conn*> conns;  ///< open connections (owned by their handlers), for stop()
};

HttpServer::HttpServer(net::io_context& ioc, Handler handler)
    : state_(std::make_shared<State>(ioc, std::move(handler))) {}

HttpServer::~HttpServer() {
  stop();
}

Result<tcp::endpoint> HttpServer::listen(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  const auto address = net::ip::make_address(host, ec);
  if (ec) return Error(Errc::invalid_argument, "'" + host + "' is not an IP address");
  const tcp::endpoint at(address, port);
  auto& a = state_->acceptor;
  a.open(at.protocol(), ec);
  if (!ec) a.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(at, ec);
  if (!ec) a.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    a.close(ec);
    return Error(std_code(ec), host + ":" + std::to_string(port) + ": " + ec.message());
  }
  state_->accept();
  return a.local_endpoint();
}

void HttpServer::stop() {
  beast::error_code ec;
  state_->acceptor.close(ec);
  auto conns = state_->conns;
  for (auto* c : conns)
    c->close();
}

Result<HttpResponse> http_get(const std::string& host, std::uint16_t port, const std::string& path,
                              std::chrono::milliseconds timeout) {
  net::io_context ioc;
  beast::tcp_stream stream(ioc);
  beast::flat_buffer buffer;
  http::request<http::empty_body> req(http::verb::get, path, 11);
  req.set(http::field::host, host);
  req.set(http::field::connection, "close");
  http::response<http::string_body> res;
  beast::error_code failed;
  std::string step = "connect";
  tcp::resolver resolver(ioc);
  stream.expires_after(timeout);
  resolver.async_resolve(host, std::to_string(port), [&](beast::error_code resolved, auto results) {
    if (resolved) return void(failed = resolved);
    stream.async_connect(results, [&](beast::error_code connected, const tcp::endpoint&) {
      if (connected) return void(failed = connected);
      step = "request";
      http::async_write(stream, req, [&](beast::error_code written, std::size_t) {
        if (written) return void(failed = written);
        step = "response";
        http::async_read(stream, buffer, res,
                         [&](beast::error_code read, std::size_t) { failed = read; });
      });
    });
  });
  ioc.run();
  if (failed) {
    const std::string what = failed == beast::error::timeout
                                 ? "no answer within " + std::to_string(timeout.count()) + " ms"
                                 : failed.message();
    return Error(std_code(failed),
                 "http://" + host + ":" + std::to_string(port) + path + ": " + step + ": " + what);
  }
  HttpResponse r;
  r.status = res.result_int();
  r.content_type = std::string(res[http::field::content_type]);
  r.body = std::move(res.body());
  return r;
}

}  // namespace rcc::util
