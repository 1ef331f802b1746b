#pragma once
// A real slapd (Debian's slapd package) for the LDAP tests: an unprivileged process on loopback
// ports, with its own slapd.conf, schema (tests/data/ldap/msrtcsip.schema) and database (the
// users of tests/data/ldap/users.ldif and 5,000 generated ones, loaded with slapadd) in a
// temporary directory removed at the end. Every wait is bounded.
//
// The server behaves as AD does where it matters: a size limit of 1,000 entries for a search
// without paging, no limit across the pages of a paged search. With TLS, it listens for ldaps://
// too and offers StartTLS, with a certificate for 127.0.0.1 from a CA made by `rcc-csr ca`; it
// listens on 127.0.0.2 as well, a name the certificate does not carry.

#include <sys/types.h>

#include <string>

namespace rcc::test {

struct SlapdOptions {
  bool tls = false;
  int generated_users = 5000;
  int size_limit = 1000;
  std::string tls_ciphers;  ///< TLSCipherSuite (a GnuTLS priority string); empty: slapd's default
};

class Slapd {
 public:
  explicit Slapd(SlapdOptions o = {});
  ~Slapd();
  Slapd(const Slapd&) = delete;
  Slapd& operator=(const Slapd&) = delete;

  /// Starts slapd (again) on the same ports; waits until it accepts connections.
  void start();
  /// SIGKILL, as a domain controller that dies; waits for the process to end.
  void kill();
  bool running() const { return pid_ > 0; }

  std::string uri() const;        ///< ldap://127.0.0.1:PORT
  std::string ldaps_uri() const;  ///< ldaps://127.0.0.1:PORT (the certificate's name)
  int port() const { return port_; }
  int ldaps_port() const { return ldaps_port_; }
  const std::string& dir() const { return dir_; }
  /// The CA certificate that signed the server's (tls only).
  std::string ca_file() const { return dir_ + "/ca/ca.crt"; }
  /// A file holding the bind account's password.
  std::string password_file() const { return dir_ + "/bind-password"; }

  static constexpr const char* kBindDn = "cn=rcc-reader,ou=service,dc=example,dc=com";
  static constexpr const char* kBase = "dc=example,dc=com";
  static constexpr const char* kLineServer = "sip:rcc-gw@gw.example.com";

 private:
  SlapdOptions o_;
  std::string dir_;
  int port_ = 0;
  int ldaps_port_ = 0;
  pid_t pid_ = -1;
};

/// The path of a built tool under RCC_BUILD_DIR ("tools/rcc-csr/rcc-csr").
std::string built_tool(const std::string& relative);

/// Runs a shell command; throws with its output when it fails.
void run_command(const std::string& command);

}  // namespace rcc::test
