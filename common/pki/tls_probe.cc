#include "pki/tls_probe.h"

#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>

#include <cerrno>
#include <cstring>

#include "pki/csr.h"
#include "pki/key.h"
#include "util/log.h"

namespace rcc::pki {
namespace {

class Socket {
 public:
  explicit Socket(int fd = -1) : fd_(fd) {}
  Socket(Socket&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Socket& operator=(Socket&& o) noexcept {
    std::swap(fd_, o.fd_);
    return *this;
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

std::string where(const ProbeOptions& o) {
  return (o.host.find(':') != std::string::npos ? "[" + o.host + "]" : o.host) + ":" + o.port;
}

Result<Socket> connect_tcp(const ProbeOptions& o) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (const int rc = ::getaddrinfo(o.host.c_str(), o.port.c_str(), &hints, &list); rc != 0) {
    return Error(Errc::connect_failed, where(o) + ": " + ::gai_strerror(rc));
  }
  std::unique_ptr<addrinfo, void (*)(addrinfo*)> owned(list, ::freeaddrinfo);
  std::string last = "no address";
  for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) {
    Socket s(
        ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol));
    if (s.get() < 0) {
      last = std::strerror(errno);
      continue;
    }
    if (::connect(s.get(), ai->ai_addr, ai->ai_addrlen) != 0) {
      if (errno != EINPROGRESS) {
        last = std::strerror(errno);
        continue;
      }
      pollfd p{s.get(), POLLOUT, 0};
      const int n = ::poll(&p, 1, o.timeout_ms);
      if (n == 0) {
        last = "no answer within " + std::to_string(o.timeout_ms) + " ms";
        continue;
      }
      int err = 0;
      socklen_t len = sizeof err;
      if (n < 0 || ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        last = std::strerror(n < 0 ? errno : err);
        continue;
      }
    }
    // Blocking from here on, with a deadline on every read and write of the handshake.
    ::fcntl(s.get(), F_SETFL, ::fcntl(s.get(), F_GETFL) & ~O_NONBLOCK);
    timeval tv{o.timeout_ms / 1000, (o.timeout_ms % 1000) * 1000};
    ::setsockopt(s.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(s.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return s;
  }
  return Error(Errc::connect_failed, where(o) + ": " + last);
}

// Every version and cipher is allowed here: the probe asks what the peer accepts, so the
// client side must not be the one refusing (security level 0 allows TLS 1.0 and SHA-1).
util::SslCtxPtr make_ctx(int min_version, int max_version) {
  util::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
  if (!ctx) return ctx;
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_NONE, nullptr);
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_min_proto_version(ctx.get(), min_version);
  SSL_CTX_set_max_proto_version(ctx.get(), max_version);
  SSL_CTX_set_cipher_list(ctx.get(), "ALL:@SECLEVEL=0");
  SSL_CTX_set_options(ctx.get(), SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_IGNORE_UNEXPECTED_EOF);
  return ctx;
}

struct Connection {
  Socket socket;
  util::SslPtr ssl;
};

// On a failed handshake, the connection is moved to `*failed` (when given): the peer's
// certificate may have arrived before the failure.
Result<Connection> handshake(const ProbeOptions& o, SSL_CTX* ctx, Connection* failed = nullptr) {
  auto s = connect_tcp(o);
  if (!s) return s.error();
  util::clear_openssl_errors();
  Connection c{std::move(*s), util::SslPtr(SSL_new(ctx))};
  if (!c.ssl || SSL_set_fd(c.ssl.get(), c.socket.get()) != 1) {
    return Error(Errc::library, util::openssl_error("creating a TLS connection"));
  }
  // SNI for names only (RFC 6066 §3: literal addresses are not sent).
  // (SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.)
  if (!is_ip_address(o.host)) {
    SSL_ctrl(c.ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
             const_cast<char*>(o.host.c_str()));
  }
  if (SSL_connect(c.ssl.get()) != 1) {
    const int saved = errno;
    std::string detail = util::openssl_error(where(o) + ": TLS handshake failed");
    if (detail.find(": ", where(o).size() + 2) == std::string::npos && saved != 0) {
      detail += saved == EAGAIN || saved == EWOULDBLOCK
                    ? ": no answer within " + std::to_string(o.timeout_ms) + " ms"
                    : std::string(": ") + std::strerror(saved);
    }
    if (failed != nullptr) *failed = std::move(c);
    return Error(Errc::handshake_failed, detail);
  }
  return c;
}

void close_politely(Connection& c) {
  SSL_shutdown(c.ssl.get());
  util::clear_openssl_errors();
}

bool try_handshake(const ProbeOptions& o, SSL_CTX* ctx, const std::string& what) {
  auto c = handshake(o, ctx);
  if (!c) {
    util::logger("pki")->debug("{} refused: {}", what, c.error().message());
    return false;
  }
  util::logger("pki")->debug("{}: {} accepted", where(o), what);
  close_politely(*c);
  return true;
}

// The IANA name of a suite (what Windows and the RFCs call it), else OpenSSL's.
std::string suite_name(const SSL_CIPHER* c) {
  if (c == nullptr) return "(none)";
  const char* iana = SSL_CIPHER_standard_name(c);
  return iana != nullptr ? iana : SSL_CIPHER_get_name(c);
}

struct VersionSpec {
  int id;
  const char* name;
};
constexpr VersionSpec kVersions[] = {{TLS1_VERSION, "TLSv1"},
                                     {TLS1_1_VERSION, "TLSv1.1"},
                                     {TLS1_2_VERSION, "TLSv1.2"},
                                     {TLS1_3_VERSION, "TLSv1.3"}};
constexpr const char* kTls13Suites[] = {"TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
                                        "TLS_AES_128_GCM_SHA256", "TLS_AES_128_CCM_SHA256",
                                        "TLS_AES_128_CCM_8_SHA256"};

// The TLS 1.2-and-earlier suites worth trying against a peer with this key: those it could
// authenticate with (RSA or ECDSA), no PSK/SRP/anonymous ones.
std::vector<const SSL_CIPHER*> candidate_ciphers(int version, int auth_nid) {
  std::vector<const SSL_CIPHER*> out;
  util::SslCtxPtr ctx = make_ctx(version, version);
  if (!ctx) return out;
  SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL:@SECLEVEL=0");
  util::SslPtr ssl(SSL_new(ctx.get()));
  if (!ssl) return out;
  STACK_OF(SSL_CIPHER)* list = SSL_get_ciphers(ssl.get());
  for (int i = 0; i < sk_SSL_CIPHER_num(list); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(list, i);
    // The protocol version that introduced the suite: "SSLv3", "TLSv1.0", "TLSv1.2", "TLSv1.3".
    const std::string since = SSL_CIPHER_get_version(c);
    if (since == "TLSv1.3" || (since == "TLSv1.2" && version < TLS1_2_VERSION)) continue;
    if (SSL_CIPHER_get_auth_nid(c) != auth_nid) continue;
    out.push_back(c);
  }
  return out;
}

}  // namespace

Result<std::pair<std::string, std::string>> split_host_port(std::string_view text) {
  std::string host, port = kDefaultTlsPort;
  if (!text.empty() && text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) {
      return Error(rcc::Errc::invalid_argument, "'" + std::string(text) + "': missing ']'");
    }
    host = std::string(text.substr(1, close - 1));
    const auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return Error(rcc::Errc::invalid_argument,
                     "'" + std::string(text) + "': expected ':PORT' after ']'");
      }
      port = std::string(rest.substr(1));
    }
  } else {
    const auto colon = text.rfind(':');
    if (colon != std::string_view::npos && text.find(':') == colon) {
      host = std::string(text.substr(0, colon));
      port = std::string(text.substr(colon + 1));
    } else {
      host = std::string(text);  // a name, or a bare IPv6 address
    }
  }
  bool digits = !port.empty() && port.size() <= 5;
  for (const char c : port)
    digits = digits && c >= '0' && c <= '9';
  if (host.empty() || !digits || std::stoi(port) == 0 || std::stoi(port) > 65535) {
    return Error(rcc::Errc::invalid_argument,
                 "'" + std::string(text) + "' is not HOST:PORT (e.g. gw.example.com:5062)");
  }
  return std::pair<std::string, std::string>(host, port);
}

Result<ProbeResult> probe_tls(const ProbeOptions& o) {
  ProbeResult result;
  {
    util::SslCtxPtr ctx = make_ctx(TLS1_VERSION, TLS1_3_VERSION);
    if (!ctx) return Error(Errc::library, util::openssl_error("creating a TLS context"));
    Connection failed;
    auto c = handshake(o, ctx.get(), &failed);
    // A peer that insists on a client certificate (an OCS/Lync pool doing mutual TLS) ends a
    // TLS 1.2 handshake after it sent its own chain: that chain can still be checked.
    if (!c && (!failed.ssl || SSL_get_peer_cert_chain(failed.ssl.get()) == nullptr)) {
      return c.error();
    }
    if (!c) {
      result.handshake_error = c.error().message();
      c = std::move(failed);
    }
    STACK_OF(X509)* chain = SSL_get_peer_cert_chain(c->ssl.get());
    for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
      X509* cert = sk_X509_value(chain, i);
      X509_up_ref(cert);
      result.chain.emplace_back(cert);
    }
    result.version = SSL_get_version(c->ssl.get());
    result.cipher = suite_name(SSL_get_current_cipher(c->ssl.get()));
    util::logger("pki")->info("{}: {} {}, {} certificate(s)", where(o), result.version,
                              result.cipher, result.chain.size());
    close_politely(*c);
    if (result.chain.empty()) {
      return Error(Errc::handshake_failed, where(o) + ": the peer presented no certificate");
    }
  }
  const KeyDescription key = describe_key(X509_get0_pubkey(result.chain.front().get()));
  const int auth = key.algorithm == "EC" ? NID_auth_ecdsa : NID_auth_rsa;
  for (const auto& v : kVersions) {
    VersionResult vr;
    vr.version = v.name;
    util::SslCtxPtr ctx = make_ctx(v.id, v.id);
    if (!ctx) continue;
    vr.accepted = try_handshake(o, ctx.get(), v.name);
    if (vr.accepted && o.scan_ciphers) {
      if (v.id == TLS1_3_VERSION) {
        for (const char* suite : kTls13Suites) {
          util::SslCtxPtr one = make_ctx(v.id, v.id);
          if (one && SSL_CTX_set_ciphersuites(one.get(), suite) == 1 &&
              try_handshake(o, one.get(), suite)) {
            vr.ciphers.push_back(suite);
          }
        }
      } else {
        for (const SSL_CIPHER* c : candidate_ciphers(v.id, auth)) {
          util::SslCtxPtr one = make_ctx(v.id, v.id);
          const std::string list = std::string(SSL_CIPHER_get_name(c)) + ":@SECLEVEL=0";
          if (one && SSL_CTX_set_cipher_list(one.get(), list.c_str()) == 1 &&
              try_handshake(o, one.get(), std::string(v.name) + " " + suite_name(c))) {
            vr.ciphers.push_back(suite_name(c));
          }
        }
      }
    }
    result.versions.push_back(std::move(vr));
  }
  util::clear_openssl_errors();
  return result;
}

}  // namespace rcc::pki
