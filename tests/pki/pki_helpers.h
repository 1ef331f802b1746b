#pragma once
// Shared fixtures for the pki tests: keys made once per test run (RSA generation is slow under
// ASan), a temporary directory, and certificates built to order, including broken ones.

#include <string>
#include <vector>

#include "util/openssl.h"

namespace rcc::pki::test {

EVP_PKEY* ec_key();        ///< one P-256 key for the whole run
EVP_PKEY* other_ec_key();  ///< a second P-256 key, for mismatches
EVP_PKEY* rsa_key();       ///< one RSA 2048 key for the whole run: only where RSA matters

/// A fresh directory under $TMPDIR, removed with everything in it at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct CertSpec {
  std::string cn = "gw.example.com";
  std::string san = "DNS:gw.example.com";     ///< empty: no subjectAltName
  std::string eku = "serverAuth,clientAuth";  ///< empty: no extendedKeyUsage
  bool v1 = false;                            ///< no version 3, no extensions at all
  bool ca = false;
  long not_before = -3600;  ///< seconds from now
  long not_after = 365L * 86400;
  EVP_PKEY* key = nullptr;         ///< default ec_key()
  const X509* issuer = nullptr;    ///< nullptr: self-signed
  EVP_PKEY* issuer_key = nullptr;  ///< default: key
  const EVP_MD* md = nullptr;      ///< default SHA-256
};
util::X509Ptr make_cert(const CertSpec& spec);

/// Writes `text` to `path` with `mode`.
void write(const std::string& path, const std::string& text, unsigned mode = 0644);

/// Runs a shell command; returns its exit status (stdout/stderr to the test's output).
int shell(const std::string& command);

}  // namespace rcc::pki::test
