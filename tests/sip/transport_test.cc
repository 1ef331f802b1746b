// The Asio transport over real loopback sockets: TLS peer subject, TLS 1.2 floor and the legacy
// TLS 1.0 switch, read deadlines, error responses before closing, keep-alive pongs.
// The server Stack runs on its own thread; clients are blocking sockets with receive timeouts.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include <openssl/ssl.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>

#include "sip/error.h"
#include "sip/framer.h"
#include "sip/transport_stack.h"
#include "sip_test_util.h"

namespace sip = rcc::sip;
namespace net = boost::asio;
namespace fs = std::filesystem;
using tcp = net::ip::tcp;

namespace {

// Test certificates made with the openssl command, once per test run.
struct Pki {
  fs::path dir;
  Pki() {
    dir = fs::temp_directory_path() / ("rcc-sip-pki-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::string d = dir.string();
    const std::string script =
        "(cd '" + d + "' && " +
        "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=rcc-test-ca "
        "-keyout ca.key -out ca.pem && "
        "for w in server client; do "
        "openssl req -newkey rsa:2048 -nodes -subj \"/O=rcc tests/CN=rcc-test-$w\" "
        "-keyout $w.key -out $w.csr && "
        "openssl x509 -req -in $w.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 "
        "-out $w.pem || exit 1; done) >/dev/null 2>&1";
    REQUIRE(std::system(script.c_str()) == 0);
  }
  ~Pki() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  std::string file(const char* name) const { return (dir / name).string(); }
  sip::TlsOptions server(bool legacy = false) const {
    return {file("server.pem"), file("server.key"), file("ca.pem"), true, legacy};
  }
};

const Pki& pki() {
  static const Pki instance;
  return instance;
}

struct App : sip::DialogHandler {
  sip::Stack* stack = nullptr;
  std::mutex mu;
  std::string subject;
  std::vector<std::error_code> closed;
  void on_invite(const sip::Dialog& d, sip::TxnId txn, const sip::Message&) override {
    {
      std::lock_guard<std::mutex> lock(mu);
      subject = stack->connection(d.flow)->peer_subject();
    }
    (void)stack->dialogs().answer(txn, {200, "<ok/>", "application/csta+xml", {}});
  }
  void on_info(const sip::Dialog&, sip::TxnId txn, const sip::Message&) override {
    (void)stack->dialogs().answer(txn, {});
  }
  void on_info_result(const sip::Dialog&, std::uint64_t, const sip::Message*,
                      std::error_code) override {}
  void on_dialog_ended(const sip::Dialog&, std::error_code) override {}
};

// A Stack listening on 127.0.0.1:0 (TCP, and TLS when given), run on its own thread.
struct Server {
  net::io_context io;
  App app;
  sip::Stack stack;
  std::uint16_t tcp_port = 0;
  std::uint16_t tls_port = 0;
  std::thread thread;
  explicit Server(const sip::TlsOptions* tls = nullptr, sip::ConnectionOptions options = {})
      : stack(io, app, {}, options) {
    app.stack = &stack;
    auto t = stack.listen_tcp("127.0.0.1", 0);
    REQUIRE(t);
    tcp_port = *t;
    if (tls) {
      auto s = stack.listen_tls("127.0.0.1", 0, *tls);
      REQUIRE(s);
      tls_port = *s;
    }
    thread = std::thread([this] { io.run(); });
  }
  ~Server() {
    net::post(io, [this] { stack.stop(); });
    thread.join();
  }
};

void receive_timeout(tcp::socket& s, int seconds) {
  timeval tv{seconds, 0};
  ::setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

// Reads frames until a final response (or the stream ends); returns it, status 0 if none.
template <class Stream>
sip::Message read_final(Stream& s, sip::StreamFramer& framer) {
  std::array<char, 4096> buf{};
  for (;;) {
    boost::system::error_code ec;
    const auto n = s.read_some(net::buffer(buf), ec);
    if (ec) return {};
    std::string_view data(buf.data(), n);
    while (!data.empty()) {
      auto used = framer.feed(data);
      if (!used) return {};
      data.remove_prefix(*used);
      if (!framer.ready()) continue;
      auto f = framer.take();
      if (f.kind == sip::StreamFramer::Kind::message && f.message.status >= 200) return f.message;
    }
  }
}

std::string invite_bytes() {
  return sip::test::read_data("uacsta/invite_request_system_status.sip");
}

std::shared_ptr<net::ssl::context> client_ctx(bool with_cert, int max_version = 0) {
  auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
  if (with_cert) {
    ctx->use_certificate_chain_file(pki().file("client.pem"));
    ctx->use_private_key_file(pki().file("client.key"), net::ssl::context::pem);
  }
  ctx->load_verify_file(pki().file("ca.pem"));
  ctx->set_verify_mode(net::ssl::verify_peer);
  if (max_version) {
    // An old peer: TLS 1.0 only, which OpenSSL 3 allows at security level 0 alone.
    SSL_CTX_set_security_level(ctx->native_handle(), 0);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), max_version);
    SSL_CTX_set_max_proto_version(ctx->native_handle(), max_version);
    SSL_CTX_set_cipher_list(ctx->native_handle(), "DEFAULT:@SECLEVEL=0");
  }
  return ctx;
}

}  // namespace

TEST_CASE("sip TLS transport gives the layer above the client certificate's subject",
          "[sip][transport][tls]") {
  const auto options = pki().server();
  Server server(&options);
  net::io_context io;
  auto ctx = client_ctx(true);
  net::ssl::stream<tcp::socket> s(io, *ctx);
  s.next_layer().connect({net::ip::make_address("127.0.0.1"), server.tls_port});
  receive_timeout(s.next_layer(), 5);
  s.handshake(net::ssl::stream_base::client);
  CHECK(SSL_version(s.native_handle()) >= TLS1_2_VERSION);
  net::write(s, net::buffer(invite_bytes()));
  sip::StreamFramer framer;
  const auto ok = read_final(s, framer);
  REQUIRE(ok.status == 200);
  CHECK(ok.body == "<ok/>");
  std::lock_guard<std::mutex> lock(server.app.mu);
  CHECK(server.app.subject == "CN=rcc-test-client,O=rcc tests");
}

TEST_CASE("sip TLS transport refuses a client without a certificate", "[sip][transport][tls]") {
  const auto options = pki().server();
  Server server(&options);
  net::io_context io;
  auto ctx = client_ctx(false);
  net::ssl::stream<tcp::socket> s(io, *ctx);
  s.next_layer().connect({net::ip::make_address("127.0.0.1"), server.tls_port});
  receive_timeout(s.next_layer(), 5);
  boost::system::error_code ec;
  s.handshake(net::ssl::stream_base::client, ec);
  if (!ec) {  // TLS 1.3 reports the refusal on the first read instead
    net::write(s, net::buffer(invite_bytes()), ec);
    std::array<char, 64> buf{};
    s.read_some(net::buffer(buf), ec);
  }
  CHECK(ec);
}

TEST_CASE("sip TLS transport refuses TLS 1.0 unless the legacy switch is on",
          "[sip][transport][tls]") {
  const bool legacy = GENERATE(false, true);
  INFO("legacy_tls10_3des = " << legacy);
  const auto options = pki().server(legacy);
  Server server(&options);
  net::io_context io;
  auto ctx = client_ctx(true, TLS1_VERSION);
  net::ssl::stream<tcp::socket> s(io, *ctx);
  s.next_layer().connect({net::ip::make_address("127.0.0.1"), server.tls_port});
  receive_timeout(s.next_layer(), 5);
  boost::system::error_code ec;
  s.handshake(net::ssl::stream_base::client, ec);
  if (!legacy) {
    CHECK(ec);
    return;
  }
  REQUIRE_FALSE(ec);
  CHECK(SSL_version(s.native_handle()) == TLS1_VERSION);
  net::write(s, net::buffer(invite_bytes()));
  sip::StreamFramer framer;
  CHECK(read_final(s, framer).status == 200);
}

TEST_CASE("sip transport closes a connection that stays silent past the read deadline",
          "[sip][transport]") {
  sip::ConnectionOptions options;
  options.read_timeout = std::chrono::seconds(1);
  Server server(nullptr, options);
  net::io_context io;
  tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), server.tcp_port});
  receive_timeout(s, 5);
  const auto start = std::chrono::steady_clock::now();
  std::array<char, 16> buf{};
  boost::system::error_code ec;
  s.read_some(net::buffer(buf), ec);
  CHECK(ec == net::error::eof);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(4));
}

TEST_CASE("sip transport answers an oversized header section with 513 and closes",
          "[sip][transport]") {
  Server server;
  net::io_context io;
  tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), server.tcp_port});
  receive_timeout(s, 5);
  auto big = invite_bytes();
  big.insert(big.find("Content-Type"), "X-Padding: " + std::string(70000, 'p') + "\r\n");
  boost::system::error_code ec;
  net::write(s, net::buffer(big), ec);
  sip::StreamFramer framer;
  const auto answer = read_final(s, framer);
  CHECK(answer.status == 513);
  CHECK(answer.call_id() == "a84b4c76e66710@192.0.2.10");
  std::array<char, 16> buf{};
  s.read_some(net::buffer(buf), ec);
  CHECK(ec);  // closed after the answer
}

TEST_CASE("sip transport answers a CRLFCRLF ping with a CRLF pong", "[sip][transport]") {
  Server server;
  net::io_context io;
  tcp::socket s(io);
  s.connect({net::ip::make_address("127.0.0.1"), server.tcp_port});
  receive_timeout(s, 5);
  net::write(s, net::buffer(std::string(sip::kPing)));
  std::array<char, 2> pong{};
  boost::system::error_code ec;
  net::read(s, net::buffer(pong), ec);
  REQUIRE_FALSE(ec);
  CHECK(std::string_view(pong.data(), 2) == sip::kPong);
}
