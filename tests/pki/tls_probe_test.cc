#include "pki/tls_probe.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <csignal>
#include <ctime>
#include <thread>

#include <catch2/catch.hpp>

#include "pki/check.h"
#include "pki/pki_helpers.h"

namespace util = rcc::util;
using namespace rcc::pki;

namespace {

// A real TLS server on 127.0.0.1:0 in a thread, one connection at a time, every wait bounded.
// Mode::plain accepts and hangs up without TLS; Mode::silent never accepts (the kernel completes
// the TCP handshake from its backlog, and then nothing is ever said).
class Server {
 public:
  enum class Mode { tls, plain, silent };

  Server(Mode mode, X509* cert = nullptr, EVP_PKEY* key = nullptr,
         const std::vector<X509*>& chain = {}, int max_version = 0)
      : mode_(mode) {
    std::signal(SIGPIPE, SIG_IGN);
    if (mode == Mode::tls) {
      ctx_.reset(SSL_CTX_new(TLS_server_method()));
      SSL_CTX_use_certificate(ctx_.get(), cert);
      SSL_CTX_use_PrivateKey(ctx_.get(), key);
      for (X509* c : chain)
        SSL_CTX_add1_chain_cert(ctx_.get(), c);
      if (max_version != 0) SSL_CTX_set_max_proto_version(ctx_.get(), max_version);
    }
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    if (mode != Mode::silent) thread_ = std::thread([this] { loop(); });
  }
  ~Server() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    ::close(fd_);
  }
  std::string port() const { return std::to_string(port_); }
  int handshakes() const { return handshakes_; }

 private:
  void loop() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      const int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (conn < 0) continue;
      timeval tv{2, 0};
      ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
      ::setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
      if (mode_ == Mode::tls) {
        util::SslPtr ssl(SSL_new(ctx_.get()));
        SSL_set_fd(ssl.get(), conn);
        if (SSL_accept(ssl.get()) == 1) {
          ++handshakes_;
          SSL_shutdown(ssl.get());
        }
        util::clear_openssl_errors();
      }
      ::close(conn);
    }
  }

  Mode mode_;
  util::SslCtxPtr ctx_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> handshakes_{0};
  std::thread thread_;
};

struct Pki {
  util::X509Ptr root = [] {
    test::CertSpec s;
    s.cn = "Probe Root";
    s.ca = true;
    s.san = s.eku = "";
    s.key = test::other_ec_key();
    return test::make_cert(s);
  }();
  util::X509Ptr leaf = [this] {
    test::CertSpec s;
    s.issuer = root.get();
    s.issuer_key = test::other_ec_key();
    return test::make_cert(s);
  }();
};

ProbeOptions options(const std::string& port) {
  ProbeOptions o;
  o.host = "127.0.0.1";
  o.port = port;
  o.timeout_ms = 2000;
  return o;
}

const VersionResult& version(const ProbeResult& r, const std::string& name) {
  for (const auto& v : r.versions)
    if (v.version == name) return v;
  FAIL("no result for " << name);
  return r.versions.front();
}

}  // namespace

TEST_CASE("the probe fetches the chain a TLS server presents and it checks clean", "[pki][tls]") {
  Pki pki;
  Server server(Server::Mode::tls, pki.leaf.get(), test::ec_key(), {pki.root.get()});
  auto result = probe_tls(options(server.port()));
  REQUIRE(result);
  REQUIRE(result->chain.size() == 2);
  CHECK(X509_cmp(result->chain[0].get(), pki.leaf.get()) == 0);
  CHECK(result->version == "TLSv1.3");
  CHECK(version(*result, "TLSv1.3").accepted);
  CHECK(version(*result, "TLSv1.2").accepted);
  const auto& v13 = version(*result, "TLSv1.3").ciphers;
  CHECK(std::find(v13.begin(), v13.end(), "TLS_AES_128_GCM_SHA256") != v13.end());
  const auto& v12 = version(*result, "TLSv1.2").ciphers;
  CHECK(std::find(v12.begin(), v12.end(), "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256") != v12.end());
  // Only ECDSA suites are tried against an EC certificate.
  for (const auto& c : v12)
    CHECK(c.find("_RSA_") == std::string::npos);

  CheckInput in;
  in.certificate = result->chain[0].get();
  in.untrusted = {result->chain[1].get()};
  in.trusted = {pki.root.get()};
  in.fqdn = "gw.example.com";
  in.now = std::time(nullptr);
  CHECK(overall(run_checks(in)) == Status::pass);
}

TEST_CASE("a server that stops at TLS 1.2 is reported as refusing TLS 1.3", "[pki][tls]") {
  Pki pki;
  Server server(Server::Mode::tls, pki.leaf.get(), test::ec_key(), {}, TLS1_2_VERSION);
  auto o = options(server.port());
  o.scan_ciphers = false;
  auto result = probe_tls(o);
  REQUIRE(result);
  CHECK(result->version == "TLSv1.2");
  CHECK(result->chain.size() == 1);
  CHECK(version(*result, "TLSv1.2").accepted);
  CHECK_FALSE(version(*result, "TLSv1.3").accepted);
  CHECK(version(*result, "TLSv1.2").ciphers.empty());
}

TEST_CASE("a closed port is a connect failure", "[pki][tls]") {
  std::string port;
  {
    Server gone(Server::Mode::silent);
    port = gone.port();
  }
  auto result = probe_tls(options(port));
  REQUIRE_FALSE(result);
  CHECK(result.error().code() == Errc::connect_failed);
  CHECK(result.error().message() == "127.0.0.1:" + port + ": Connection refused");
}

TEST_CASE("a peer that hangs up without TLS is a handshake failure", "[pki][tls]") {
  Server server(Server::Mode::plain);
  auto result = probe_tls(options(server.port()));
  REQUIRE_FALSE(result);
  CHECK(result.error().code() == Errc::handshake_failed);
  CHECK_THAT(result.error().message(),
             Catch::StartsWith("127.0.0.1:" + server.port() + ": TLS handshake failed"));
}

TEST_CASE("a peer that never answers times out instead of hanging", "[pki][tls]") {
  Server server(Server::Mode::silent);
  auto o = options(server.port());
  o.timeout_ms = 300;
  auto result = probe_tls(o);
  REQUIRE_FALSE(result);
  CHECK(result.error().code() == Errc::handshake_failed);
  CHECK_THAT(result.error().message(), Catch::EndsWith("no answer within 300 ms"));
}

TEST_CASE("HOST:PORT splits names, IPv4 and bracketed IPv6, defaulting to 5062", "[pki][tls]") {
  const auto [text, host, port] = GENERATE(table<const char*, const char*, const char*>(
      {{"gw.example.com:5061", "gw.example.com", "5061"},
       {"gw.example.com", "gw.example.com", "5062"},
       {"127.0.0.1:443", "127.0.0.1", "443"},
       {"[::1]:5062", "::1", "5062"},
       {"[::1]", "::1", "5062"},
       {"::1", "::1", "5062"}}));
  auto hp = split_host_port(text);
  REQUIRE(hp);
  CHECK(hp->first == host);
  CHECK(hp->second == port);
}

TEST_CASE("HOST:PORT refuses empty hosts and bad ports", "[pki][tls]") {
  const char* text = GENERATE(":5062", "gw:", "gw:0", "gw:65536", "gw:http", "[::1", "[::1]x");
  auto hp = split_host_port(text);
  REQUIRE_FALSE(hp);
  CHECK(hp.error().code() == rcc::Errc::invalid_argument);
}
