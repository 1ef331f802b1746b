#pragma once
// A small read-only HTTP/1.1 server and a blocking GET client on Boost.Beast, for the gateway's
// status endpoint (/metrics, /healthz, /sessions) and `rcc-gatewayd --status`.
//
//   HttpServer http(ioc, [](std::string_view path) { return HttpResponse{200, "text/plain", "ok"};
//   }); auto bound = http.listen("127.0.0.1", 9360);   // port 0 picks one
//
// Only GET and HEAD are served (anything else: 405): nothing on the endpoint changes state.
// Requests are bounded (8 KiB of header, 4 KiB of body, which is ignored), each connection must
// send its request within 10 s, and at most 64 connections are open at once (more are closed at
// accept). Threading: the io_context's thread calls the handler.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "diag/error.h"

namespace rcc::util {

struct HttpResponse {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
};

class HttpServer {
 public:
  /// `handler` gets the request target's path (no query string).
  using Handler = std::function<HttpResponse(std::string_view path)>;
  HttpServer(boost::asio::io_context& ioc, Handler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  /// Listens on host:port; returns the bound endpoint.
  Result<boost::asio::ip::tcp::endpoint> listen(const std::string& host, std::uint16_t port);
  /// Closes the listener and every connection.
  void stop();

  static constexpr std::size_t kMaxConnections = 64;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

/// GET http://host:port/path, blocking, with a deadline for the whole exchange. The status and
/// body, or an error naming what failed (connect refused, timeout, ...).
Result<HttpResponse> http_get(const std::string& host, std::uint16_t port, const std::string& path,
                              std::chrono::milliseconds timeout);

}  // namespace rcc::util
