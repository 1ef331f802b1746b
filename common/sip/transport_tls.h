#pragma once
// TLS settings for SIP over TLS (RFC 3261 §26.2.1, docs/protocol.md: OCS/Lync talks mutual TLS to
// the gateway on port 5061) and the Boost.Asio/OpenSSL context made from them.
//
// Default: TLS 1.2 and later only, OpenSSL's default cipher list and security level.
//
// legacy_tls10_3des (off by default): for old peers that only speak TLS 1.0 with
// TLS_RSA_WITH_3DES_EDE_CBC_SHA (OpenSSL name DES-CBC3-SHA), as early OCS 2007 servers did.
// It lowers the floor to TLS 1.0, adds DES-CBC3-SHA to the cipher list and sets OpenSSL's
// security level to 0: OpenSSL 3 refuses TLS 1.0 and 3DES (64-bit blocks, SWEET32) at its
// default level 1 or above, so nothing else makes such a handshake possible. Level 0 also admits
// short keys and SHA-1 signatures; turn it on only for a peer that needs it, on a trusted
// network. Some OpenSSL builds (Debian 12's among them) leave 3DES out entirely: then the switch
// still allows TLS 1.0 with the AES-CBC suites, and make_tls_context() says so in its log.

#include <memory>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "diag/error.h"

namespace rcc::sip {

struct TlsOptions {
  std::string cert_file;  ///< our certificate chain (PEM)
  std::string key_file;   ///< its private key (PEM)
  std::string ca_file;    ///< CAs we trust for the peer's certificate (PEM)
  /// Ask for and verify the peer's certificate (a server then requires a client certificate).
  bool verify_peer = true;
  /// TLS 1.0 + TLS_RSA_WITH_3DES_EDE_CBC_SHA compatibility (see above). Off by default.
  bool legacy_tls10_3des = false;
  /// TLS 1.3 only (ignored with legacy_tls10_3des).
  bool min_tls13 = false;
};

enum class TlsRole { server, client };

/// Builds the context; fails (Errc::tls_failure, with OpenSSL's reason) when a file cannot be
/// loaded or the key does not match the certificate.
Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const TlsOptions& options,
                                                                    TlsRole role);

/// The subject of the peer's certificate in RFC 2253 form ("CN=ocs.example.com,O=Example"),
/// empty when the peer sent none. `ssl` is the connection's native handle.
std::string peer_certificate_subject(void* ssl);

/// The names the peer's certificate is for: the subject CN, then every DNS subjectAltName.
std::vector<std::string> peer_certificate_names(void* ssl);

/// Whether this OpenSSL build offers DES-CBC3-SHA at all (Debian 12's does not).
bool openssl_has_3des();

}  // namespace rcc::sip
