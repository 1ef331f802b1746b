// The pieces of rcc-gatewayd's operations that are not the gateway: the journal's fields, the
// Prometheus label escaping, and the read-only HTTP server over a real loopback socket.

#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "rcc/status.h"
#include "util/http.h"
#include "util/systemd.h"

using namespace rcc;
namespace net = boost::asio;

TEST_CASE("journal fields come from the log line's key=value words", "[ops]") {
  const auto f = util::systemd::journal_fields(
      "signed in user=alice matched-by=\"user ID\" line=tel:5001;phone-context=dialstring "
      "device=SEP1 why=\"the only device\" node=127.0.0.1:4000 call-id=abc@h session=7");
  CHECK(f == std::vector<std::string>{"USER=alice", "LINE=tel:5001;phone-context=dialstring",
                                      "NODE=127.0.0.1:4000", "CALL_ID=abc@h", "SESSION=7"});
  // Quoted values, keys inside other words ignored, empty values dropped.
  CHECK(util::systemd::journal_fields("x user=\"a b\" peruser=no node= line=L") ==
        std::vector<std::string>{"USER=a b", "LINE=L"});
  CHECK(util::systemd::journal_fields("no fields here").empty());
}

TEST_CASE("Prometheus label values escape backslash, quote and newline", "[ops]") {
  CHECK(gateway::prometheus_label("a\"b\\c\nd") == "a\\\"b\\\\c\\nd");
  CHECK(gateway::prometheus_label("plain") == "plain");
}

namespace {

/// One raw HTTP exchange with the server at `port` (the server runs on `ioc` in another thread).
std::string raw_exchange(std::uint16_t port, const std::string& request) {
  net::io_context io;
  net::ip::tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), port});
  net::write(s, net::buffer(request));
  std::string out;
  boost::system::error_code ec;
  char buf[4096];
  for (int i = 0; i < 100; ++i) {
    const auto n = s.read_some(net::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

}  // namespace

TEST_CASE("the status server answers GET and HEAD, refuses the rest, bounds requests", "[ops]") {
  net::io_context ioc;
  int calls = 0;
  util::HttpServer http(ioc, [&](std::string_view path) -> util::HttpResponse {
    ++calls;
    if (path == "/x") return {200, "text/plain", "hello\n"};
    return {404, "text/plain", "no\n"};
  });
  auto at = http.listen("127.0.0.1", 0);
  REQUIRE(at);
  auto work = net::make_work_guard(ioc);
  std::thread loop([&] { ioc.run(); });
  const std::uint16_t port = at->port();

  const auto get =
      raw_exchange(port, "GET /x?y=1 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  CHECK(get.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(get.find("\r\n\r\nhello\n") != std::string::npos);
  const auto head = raw_exchange(port, "HEAD /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
  CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(head.find("Content-Length: 6") != std::string::npos);
  CHECK(head.find("hello") == std::string::npos);
  const auto post = raw_exchange(
      port, "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
  CHECK(post.rfind("HTTP/1.1 405", 0) == 0);
  CHECK(post.find("Allow: GET, HEAD") != std::string::npos);
  CHECK(raw_exchange(port, "GET /nope HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
            .rfind("HTTP/1.1 404", 0) == 0);
  // A header past 8 KiB: the connection is closed without an answer.
  const auto huge =
      raw_exchange(port, "GET /x HTTP/1.1\r\nX: " + std::string(10'000, 'a') + "\r\n\r\n");
  CHECK(huge.find("HTTP/1.1 200") == std::string::npos);
  CHECK(calls == 3);  // GET, HEAD, 404 reached the handler; POST and the huge one did not

  // The client side, as `rcc-gatewayd --status` uses it.
  auto r = util::http_get("127.0.0.1", port, "/x", std::chrono::seconds(5));
  REQUIRE(r);
  CHECK(r->status == 200);
  CHECK(r->body == "hello\n");

  net::post(ioc, [&] { http.stop(); });
  work.reset();
  loop.join();
  auto refused = util::http_get("127.0.0.1", port, "/x", std::chrono::seconds(2));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message().find("connect") != std::string::npos);
}
