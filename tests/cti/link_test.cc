// cti::Link against real rcc-ctisim processes, and against raw sockets that misbehave.

#include "cti/link.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <catch2/catch.hpp>

#include "cti/sim_process.h"
#include "cti/test_client.h"

using namespace rcc;
using namespace rcc::testing;
using namespace std::chrono_literals;
namespace net = boost::asio;

namespace {

std::string frame(int invoke, const std::string& body) {
  return *cti::encode_frame(invoke, body);
}

/// True when the peer closes `fd` (read returns 0 or an error other than a timeout) within 5 s.
bool closed_by_peer(int fd) {
  char buf[512];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n == 0) return true;
    if (n < 0) return errno != EAGAIN && errno != EWOULDBLOCK;
  }
}

const char* kBomb =
    "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
    "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">]>"
    "<MonitorStart xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\">"
    "<monitorObject><deviceObject>&lol2;</deviceObject></monitorObject></MonitorStart>";

}  // namespace

TEST_CASE("link starts a session with the application user's credentials", "[cti][link]") {
  SimProcess sim;
  TestClient c(sim.address());
  REQUIRE(c.start());
  CHECK(c.link->state() == cti::LinkState::active);
  CHECK_FALSE(c.link->session_id().empty());
  CHECK(c.link->session_duration() == 180);
  CHECK(c.heartbeat());
  CHECK(c.link->timings().session.count() > 0);
}

TEST_CASE("link signs in with Avaya's SessionLoginInfo form as well", "[cti][link]") {
  SimProcess sim;
  TestClient c(sim.address());
  c.options().avaya_login = true;
  REQUIRE(c.start());
  CHECK(c.heartbeat());
}

TEST_CASE("link reports a wrong password as bad credentials", "[cti][link]") {
  SimProcess sim;
  TestClient c(sim.address(), "rccgateway", "wrong");
  auto r = c.start();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == cti::Errc::bad_credentials);
}

TEST_CASE("link reports a user without Standard CTI Enabled as no permission", "[cti][link]") {
  SimProcess sim;
  TestClient c(sim.address(), "nocti", "rcc-lab-password");
  auto r = c.start();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == cti::Errc::no_permission);
}

TEST_CASE("link reports a refused connection as connect_failed", "[cti][link]") {
  // A port bound but not listening, held for the whole test so nothing else can take it: the
  // kernel answers the SYN with a reset.
  net::io_context probe;
  net::ip::tcp::acceptor bound(probe);
  bound.open(net::ip::tcp::v4());
  bound.bind({net::ip::make_address("127.0.0.1"), 0});
  TestClient refused("127.0.0.1:" + std::to_string(bound.local_endpoint().port()));
  // A deadline far past the test's own wait (5 s): only the refusal can end this start().
  refused.options().connect_timeout = 60s;
  auto r = refused.start();
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == cti::Errc::connect_failed);
}

TEST_CASE("link reports a connect that does not complete in time as connect_timeout",
          "[cti][link]") {
  // A loopback listener that never accepts, its accept queue full: Linux drops further SYNs
  // (and their retransmissions, while the queue stays full), so a connect hangs until the
  // deadline. No traffic leaves this machine.
  net::io_context probe;
  net::ip::tcp::acceptor full(probe, {net::ip::make_address("127.0.0.1"), 0});
  full.listen(0);  // room for one connection (the queue is full past the backlog)
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(full.local_endpoint().port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const int filler = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  REQUIRE(filler >= 0);
  (void)::connect(filler, reinterpret_cast<const sockaddr*>(&to), sizeof to);  // in progress
  // Wait for the filler to land in the accept queue (the listener turns readable), then check
  // the queue is full: listening sockets report its length and limit in TCP_INFO.
  pollfd ready{full.native_handle(), POLLIN, 0};
  REQUIRE(::poll(&ready, 1, 5000) == 1);
  tcp_info info{};
  socklen_t len = sizeof info;
  REQUIRE(::getsockopt(full.native_handle(), IPPROTO_TCP, TCP_INFO, &info, &len) == 0);
  INFO("accept queue " << info.tcpi_unacked << " of " << info.tcpi_sacked);
  REQUIRE(info.tcpi_unacked > info.tcpi_sacked);

  TestClient hangs("127.0.0.1:" + std::to_string(full.local_endpoint().port()));
  hangs.options().connect_timeout = 200ms;
  auto t = hangs.start();
  ::close(filler);
  REQUIRE_FALSE(t);
  CHECK(t.error().code() == cti::Errc::connect_timeout);
}

TEST_CASE("link sends heartbeats every interval and keeps the session alive", "[cti][link]") {
  SimProcess sim({"--max-session-duration", "1"});
  TestClient c(sim.address());
  c.options().heartbeat_interval = 300ms;
  int beats = 0;
  cti::LinkHandlers h;
  h.on_heartbeat = [&] { ++beats; };
  h.on_down = [&](const Error& e) { c.down = e; };
  auto link = cti::Link::create(c.ioc, c.options(), h);
  std::optional<Result<void>> started;
  link->start([&](Result<void> r) { started = std::move(r); });
  REQUIRE(c.run_until([&] { return started.has_value(); }));
  REQUIRE(*started);
  c.run_until([&] { return beats >= 8; }, 5s);
  CHECK(beats >= 8);  // 2.4 s of a 1 s session: only heartbeats kept it alive
  CHECK_FALSE(c.down.has_value());
  CHECK(link->state() == cti::LinkState::active);
}

TEST_CASE("a session times out when heartbeats stop", "[cti][link]") {
  SimProcess sim({"--max-session-duration", "1"});
  TestClient c(sim.address());
  REQUIRE(c.start());
  CHECK(c.link->session_duration() == 1);
  REQUIRE(c.run_until([&] { return c.down.has_value(); }, 4s));
  CHECK(c.down->code() == cti::Errc::session_terminated);
  CHECK(c.link->state() == cti::LinkState::closed);
}

TEST_CASE("no request is left hanging when the node goes silent", "[cti][link]") {
  SimProcess sim;
  TestClient c(sim.address());
  c.options().request_timeout = 300ms;
  REQUIRE(c.start());
  REQUIRE(sim.control("silent on") == "ok");
  auto r = c.call(csta::MonitorStart{"4711"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == cti::Errc::request_timeout);
  REQUIRE(sim.control("silent off") == "ok");
  CHECK(c.call(csta::MonitorStart{"4711"}));
}

TEST_CASE("pending requests fail at once when the node drops the link", "[cti][link]") {
  SimProcess sim;
  TestClient c(sim.address());
  REQUIRE(c.start());
  REQUIRE(sim.control("drop") == "ok 1");
  REQUIRE(c.run_until([&] { return c.down.has_value(); }));
  CHECK(c.down->code() == cti::Errc::link_down);
  auto r = c.call(csta::MonitorStart{"4711"});
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == cti::Errc::not_active);
}

TEST_CASE("link stops its session cleanly", "[cti][link]") {
  SimProcess sim;
  TestClient c(sim.address());
  REQUIRE(c.start());
  std::optional<Result<void>> stopped;
  c.link->stop([&](Result<void> r) { stopped = std::move(r); });
  REQUIRE(c.run_until([&] { return stopped.has_value(); }));
  CHECK(*stopped);
  CHECK(c.link->state() == cti::LinkState::closed);
  CHECK_FALSE(c.down.has_value());
  CHECK(sim.control("status") ==
        "ok sessions=0 monitors=0 calls=0 monitor-stops=0 status-answers=0");
}

TEST_CASE("the simulator drops misbehaving peers and other sessions carry on", "[cti][link]") {
  SimProcess sim({"--frame-timeout", "300", "--max-frame-bytes", "4096"});
  TestClient good(sim.address());
  REQUIRE(good.start());
  REQUIRE(good.call(csta::MonitorStart{"4711"}));

  struct Case {
    const char* what;
    std::string bytes;
  };
  const std::string big(5000, 'x');
  const Case cases[] = {
      {"length shorter than the header", std::string("\0\0\0\5"
                                                     "0001",
                                                     8)},
      {"frame over the configured maximum", std::string("\0\0\x13\x88"
                                                        "0001",
                                                        8) +
                                                big},
      {"length past what it sends, then silence", std::string("\0\0\x01\x00"
                                                              "0001<Mon",
                                                              12)},
      {"half a header, then silence", std::string("\0\0\0", 3)},
      {"not a frame at all", "GET / HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"an XML bomb", frame(1, kBomb)},
      {"not XML", frame(1, "<<<<not xml")},
  };
  for (const auto& k : cases) {
    INFO(k.what);
    const int fd = SimProcess::connect_to(sim.port());
    ::send(fd, k.bytes.data(), k.bytes.size(), MSG_NOSIGNAL);
    CHECK(closed_by_peer(fd));
    ::close(fd);
  }
  // The well-behaved session never noticed.
  CHECK(good.heartbeat());
  auto snap = good.call(csta::SnapshotDevice{"4711"});
  REQUIRE(snap);
  CHECK(std::holds_alternative<csta::SnapshotDeviceResponse>(snap->body));
  CHECK_FALSE(good.down.has_value());
}

TEST_CASE("link drops a node that speaks garbage or stops mid-frame", "[cti][link]") {
  struct Case {
    const char* what;
    std::string bytes;
    cti::Errc expected;
  };
  const Case cases[] = {
      {"garbage", "HTTP/1.1 400 Bad Request\r\n\r\n", cti::Errc::garbage},
      {"length shorter than the header",
       std::string("\0\0\0\4"
                   "0001",
                   8),
       cti::Errc::garbage},
      {"half a frame",
       std::string("\0\0\0\x40"
                   "0001<Sta",
                   12),
       cti::Errc::frame_timeout},
      {"an XML bomb", frame(1, kBomb), cti::Errc::garbage},
  };
  for (const auto& k : cases) {
    INFO(k.what);
    net::io_context ioc;
    net::ip::tcp::acceptor acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0});
    net::ip::tcp::socket peer(ioc);
    acceptor.async_accept(peer, [&](boost::system::error_code ec) {
      if (!ec) net::async_write(peer, net::buffer(k.bytes), [](auto, auto) {});
    });
    cti::LinkOptions o;
    o.node = {"127.0.0.1", std::to_string(acceptor.local_endpoint().port())};
    o.user = "u";
    o.frame_timeout = 200ms;
    o.request_timeout = 3s;
    auto link = cti::Link::create(ioc, o);
    std::optional<Result<void>> r;
    link->start([&](Result<void> x) { r = std::move(x); });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!r && std::chrono::steady_clock::now() < deadline)
      ioc.run_one_for(100ms);
    REQUIRE(r.has_value());
    REQUIRE_FALSE(*r);
    CHECK(r->error().code() == k.expected);
  }
}

TEST_CASE("node addresses parse as HOST:PORT and [v6]:PORT", "[cti][link]") {
  auto a = cti::parse_node_address("cucm1.example.com:2748");
  REQUIRE(a);
  CHECK(a->host == "cucm1.example.com");
  CHECK(a->port == "2748");
  auto v6 = cti::parse_node_address("[::1]:4722");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->name() == "[::1]:4722");
  for (const char* bad : {"nohost", ":2748", "host:", "host:port", "host:70000", "::1:2748"}) {
    INFO(bad);
    auto r = cti::parse_node_address(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == cti::Errc::bad_address);
  }
}

namespace {

/// A TLS peer in the test's io_context: handshake, read the session start, answer it.
struct TlsPeer {
  net::ssl::context ctx{net::ssl::context::tls_server};
  net::ip::tcp::acceptor acceptor;
  std::unique_ptr<net::ssl::stream<net::ip::tcp::socket>> stream;
  std::string in, reply;

  TlsPeer(net::io_context& ioc, const std::string& cert, const std::string& key)
      : acceptor(ioc, {net::ip::make_address("127.0.0.1"), 0}) {
    ctx.use_certificate_chain_file(cert);
    ctx.use_private_key_file(key, net::ssl::context::pem);
    acceptor.async_accept([this](boost::system::error_code ec, net::ip::tcp::socket s) {
      if (ec) return;
      stream = std::make_unique<net::ssl::stream<net::ip::tcp::socket>>(std::move(s), ctx);
      stream->async_handshake(net::ssl::stream_base::server, [this](boost::system::error_code e) {
        if (e) return;
        in.resize(4096);
        stream->async_read_some(net::buffer(in), [this](boost::system::error_code e2, std::size_t) {
          if (e2) return;
          reply = frame(
              1, csta::encode(csta::Message{
                     csta::Namespace::ed3,
                     csta::StartApplicationSessionPosResponse{
                         "TLS1", std::string(csta::namespace_uri(csta::Namespace::ed3)), 180u}}));
          net::async_write(*stream, net::buffer(reply), [](auto, auto) {});
        });
      });
    });
  }
};

}  // namespace

TEST_CASE("link speaks TLS and checks the node's name", "[cti][link][tls]") {
  char dir_template[] = "/tmp/rcc_cti_tls_XXXXXX";
  REQUIRE(mkdtemp(dir_template) != nullptr);
  const std::string dir = dir_template, cert = dir + "/cert.pem", key = dir + "/key.pem";
  const std::string cmd =
      "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
      "-nodes -subj /CN=cti.example.com -days 1 -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  for (const char* name : {"cti.example.com", "other.example.com"}) {
    INFO(name);
    net::io_context ioc;
    TlsPeer peer(ioc, cert, key);
    cti::LinkOptions o;
    o.node = {"127.0.0.1", std::to_string(peer.acceptor.local_endpoint().port())};
    o.user = "u";
    o.tls = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    o.tls->set_verify_mode(net::ssl::verify_peer);
    o.tls->load_verify_file(cert);
    o.tls_server_name = name;
    auto link = cti::Link::create(ioc, o);
    std::optional<Result<void>> r;
    link->start([&](Result<void> x) { r = std::move(x); });
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (!r && std::chrono::steady_clock::now() < deadline)
      ioc.run_one_for(100ms);
    REQUIRE(r.has_value());
    if (std::string(name) == "cti.example.com") {
      REQUIRE(*r);
      CHECK(link->session_id() == "TLS1");
      CHECK(link->timings().tls.count() > 0);
    } else {
      REQUIRE_FALSE(*r);
      CHECK(r->error().code() == cti::Errc::tls_failed);
    }
    link->close();
  }
  (void)std::system(("rm -rf " + dir).c_str());
}

TEST_CASE("link fails only the request whose response it cannot read, and skips unknown events",
          "[cti][link]") {
  // A scripted node on a thread of its own: it writes unqualified XML (as some switches do),
  // answers the first MonitorStart with a response missing its crossRefID, sends an event type
  // nobody models, then answers the second MonitorStart properly.
  net::io_context peer_io;
  net::ip::tcp::acceptor acceptor(peer_io, {net::ip::make_address("127.0.0.1"), 0});
  const auto port = acceptor.local_endpoint().port();
  std::thread node([&] {
    net::ip::tcp::socket s(peer_io);
    acceptor.accept(s);
    cti::FrameDecoder decoder;
    std::vector<cti::Frame> frames;
    int answered = 0;
    char buf[4096];
    boost::system::error_code ec;
    while (answered < 3) {
      const auto n = s.read_some(net::buffer(buf), ec);
      if (ec) return;
      if (!decoder.feed(std::string_view(buf, n), frames)) return;
      for (const auto& f : frames) {
        std::string out;
        if (answered == 0) {  // StartApplicationSession
          out = frame(
              f.invoke_id,
              "<StartApplicationSessionPosResponse><sessionID>S1</sessionID>"
              "<actualProtocolVersion>http://www.ecma-international.org/standards/"
              "ecma-323/csta/ed3</actualProtocolVersion></StartApplicationSessionPosResponse>");
        } else if (answered == 1) {
          out = frame(f.invoke_id, "<MonitorStartResponse/>") +
                frame(9999, "<VendorFancyEvent><x>1</x></VendorFancyEvent>");
        } else {
          out = frame(f.invoke_id,
                      "<MonitorStartResponse><monitorCrossRefID>42</monitorCrossRefID>"
                      "</MonitorStartResponse>");
        }
        ++answered;
        net::write(s, net::buffer(out), ec);
      }
      frames.clear();
    }
    // Keep the link up until the client is done.
    s.read_some(net::buffer(buf), ec);
  });
  net::io_context ioc;
  cti::LinkOptions o;
  o.node = {"127.0.0.1", std::to_string(port)};
  o.user = "u";
  o.heartbeat_interval = 0ms;
  o.request_timeout = 3s;
  bool down = false;
  cti::LinkHandlers h;
  h.on_down = [&](const Error&) { down = true; };
  auto link = cti::Link::create(ioc, o, h);
  std::optional<Result<void>> started;
  std::optional<Result<csta::Message>> first, second;
  link->start([&](Result<void> r) {
    started = std::move(r);
    if (!*started) return;
    link->request(csta::MonitorStart{"4711"}, [&](Result<csta::Message> r1) {
      first = std::move(r1);
      link->request(csta::MonitorStart{"4711"},
                    [&](Result<csta::Message> r2) { second = std::move(r2); });
    });
  });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (!second && std::chrono::steady_clock::now() < deadline)
    ioc.run_one_for(100ms);
  link->close();
  node.join();
  REQUIRE(started.has_value());
  REQUIRE(*started);  // the unqualified session response was read
  REQUIRE(first.has_value());
  REQUIRE_FALSE(*first);
  CHECK(first->error().code() == cti::Errc::garbage);
  REQUIRE(second.has_value());
  REQUIRE(*second);
  REQUIRE(std::holds_alternative<csta::MonitorStartResponse>((*second)->body));
  CHECK(std::get<csta::MonitorStartResponse>((*second)->body).monitor_cross_ref_id == "42");
  CHECK_FALSE(down);  // the link stayed up through both
}
