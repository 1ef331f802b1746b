#pragma once
// Fetching the certificate chain a live TLS peer presents (the gateway's own port 5062, or an
// OCS/Lync pool's), and which TLS versions and cipher suites it accepts. Blocking sockets with
// a deadline on every connect, read and write: for tools, never for the gateway's event loop.
// A caller that writes to peers should ignore SIGPIPE (the tools do, in main()).

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "diag/error.h"
#include "pki/error.h"
#include "util/openssl.h"

namespace rcc::pki {

/// The RCC TLS port of OCS/Lync and of the gateway.
constexpr const char* kDefaultTlsPort = "5062";

struct ProbeOptions {
  std::string host;
  std::string port = kDefaultTlsPort;
  int timeout_ms = 5000;  ///< for each connect, and each handshake's reads and writes
  bool scan_ciphers =
      true;  ///< try each cipher suite of each accepted version (one handshake each)
};

struct VersionResult {
  std::string version;  ///< "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"
  bool accepted = false;
  std::vector<std::string> ciphers;  ///< IANA names of the suites the peer accepted
};

struct ProbeResult {
  std::vector<util::X509Ptr> chain;  ///< as the peer sent it, its own certificate first
  std::string version, cipher;       ///< what the first handshake (any version) negotiated
  /// Set when that handshake failed after the peer's chain arrived (most often: the peer
  /// requires a client certificate); the versions and suites then show as refused.
  std::string handshake_error;
  std::vector<VersionResult> versions;
};

/// "host:port", "[v6]:port", "host" (port 5062). Errors: rcc::Errc::invalid_argument.
Result<std::pair<std::string, std::string>> split_host_port(std::string_view text);

/// Connects, fetches the chain (no verification here: run_checks judges it), then probes each
/// TLS version and, if asked, each cipher suite that fits the peer's key.
/// Errors: connect_failed, handshake_failed (no TLS, or no certificate).
Result<ProbeResult> probe_tls(const ProbeOptions& options);

}  // namespace rcc::pki
