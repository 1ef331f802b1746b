#include "directory/slapd_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace rcc::test {
namespace {

int free_port() {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(s);
  return ntohs(a.sin_port);
}

bool accepts(int port) {
  const int s = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = ::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(s);
  return ok;
}

std::string data_dir() {
  return std::string(std::getenv("RCC_TEST_DATA")) + "/ldap";
}

void write(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace

std::string built_tool(const std::string& relative) {
  return std::string(std::getenv("RCC_BUILD_DIR")) + "/" + relative;
}

void run_command(const std::string& command) {
  const std::string full = command + " 2>&1";
  FILE* p = ::popen(full.c_str(), "r");
  if (!p) throw std::runtime_error("cannot run " + command);
  std::string out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  const int status = ::pclose(p);
  if (status != 0) throw std::runtime_error(command + " failed:\n" + out);
}

Slapd::Slapd(SlapdOptions o) : o_(o) {
  char templ[] = "/tmp/rcc-slapd-XXXXXX";
  if (!::mkdtemp(templ)) throw std::runtime_error("mkdtemp failed");
  dir_ = templ;
  std::filesystem::create_directory(dir_ + "/db");
  port_ = free_port();
  ldaps_port_ = free_port();
  write(password_file(), "reader-secret\n");
  std::ostringstream conf;
  conf << "include /etc/ldap/schema/core.schema\n"
          "include /etc/ldap/schema/cosine.schema\n"
          "include /etc/ldap/schema/inetorgperson.schema\n"
       << "include " << data_dir() << "/msrtcsip.schema\n"
       << "pidfile " << dir_ << "/slapd.pid\n"
       << "argsfile " << dir_ << "/slapd.args\n"
       << "modulepath /usr/lib/ldap\nmoduleload back_mdb\n";
  if (o_.tls) {
    // A test CA and a server certificate for "localhost", made with rcc-csr.
    const std::string csr = built_tool("tools/rcc-csr/rcc-csr");
    run_command(csr + " -q ca init --dir " + dir_ + "/ca --cn 'rcc ldap test CA'");
    // libldap checks "localhost" against the machine's own name: the certificate names
    // 127.0.0.1 (an IP subjectAltName); 127.0.0.2 reaches the same server under another name.
    run_command("cd " + dir_ + " && " + csr +
                " -q new --cn rcc-ldap-test.invalid --san 127.0.0.1 --key-type ec:p256 "
                "-o server.csr --key-out server.key");
    run_command(csr + " -q ca sign " + dir_ + "/server.csr --dir " + dir_ + "/ca -o " + dir_ +
                "/server.crt");
    conf << "TLSCACertificateFile " << ca_file() << "\n"
         << "TLSCertificateFile " << dir_ << "/server.crt\n"
         << "TLSCertificateKeyFile " << dir_ << "/server.key\n";
    if (!o_.tls_ciphers.empty()) conf << "TLSCipherSuite " << o_.tls_ciphers << "\n";
  }
  conf << "database mdb\nmaxsize 268435456\n"
          "suffix \"dc=example,dc=com\"\n"
          "rootdn \"cn=admin,dc=example,dc=com\"\nrootpw admin-secret\n"
       << "directory " << dir_ << "/db\n"
       << "index objectClass eq\n"
          "index sAMAccountName,mail,msRTCSIP-PrimaryUserAddress,msRTCSIP-Line eq\n"
       // AD's behaviour: at most size-limit entries for a search, paged reads unlimited.
       << "limits users size.soft=" << o_.size_limit << " size.hard=" << o_.size_limit
       << " size.pr=" << o_.size_limit << " size.prtotal=unlimited\n"
       << "access to attrs=userPassword by anonymous auth by * none\n"
          "access to * by users read by * none\n";
  write(dir_ + "/slapd.conf", conf.str());

  std::ostringstream gen;
  for (int i = 1; i <= o_.generated_users; ++i) {
    char id[16];
    std::snprintf(id, sizeof id, "%05d", i);
    gen << "dn: cn=User " << id << ",ou=people,dc=example,dc=com\n"
        << "objectClass: inetOrgPerson\nobjectClass: rccTestADUser\n"
        << "cn: User " << id << "\nsn: " << id << "\n"
        << "sAMAccountName: user" << id << "\nmail: user" << id << "@example.com\n"
        << "userAccountControl: 512\nmsRTCSIP-UserEnabled: TRUE\nmsRTCSIP-OptionFlags: 272\n"
        << "msRTCSIP-PrimaryUserAddress: sip:user" << id << "@example.com\n"
        << "msRTCSIP-Line: tel:" << 70000 + i << ";phone-context=dialstring\n"
        << "msRTCSIP-LineServer: " << kLineServer << "\n\n";
  }
  write(dir_ + "/generated.ldif", gen.str());
  run_command("slapadd -q -f " + dir_ + "/slapd.conf -l " + data_dir() + "/users.ldif");
  run_command("slapadd -q -f " + dir_ + "/slapd.conf -l " + dir_ + "/generated.ldif");
  start();
}

Slapd::~Slapd() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
  }
  if (!std::getenv("RCC_KEEP")) std::filesystem::remove_all(dir_);
}

std::string Slapd::uri() const {
  return "ldap://127.0.0.1:" + std::to_string(port_);
}

std::string Slapd::ldaps_uri() const {
  return "ldaps://127.0.0.1:" + std::to_string(ldaps_port_);
}

void Slapd::start() {
  if (pid_ > 0) return;
  std::string urls = "ldap://127.0.0.1:" + std::to_string(port_) + "/";
  if (o_.tls)
    urls += " ldap://127.0.0.2:" + std::to_string(port_) +
            "/ ldaps://127.0.0.1:" + std::to_string(ldaps_port_) +
            "/ ldaps://127.0.0.2:" + std::to_string(ldaps_port_) + "/";
  const std::string conf = dir_ + "/slapd.conf";
  const std::string log = dir_ + "/slapd.log";
  pid_ = ::fork();
  if (pid_ == 0) {
    // -d 0: in the foreground, no debug output; slapd's own messages go to the log file.
    std::freopen(log.c_str(), "a", stderr);
    std::freopen("/dev/null", "w", stdout);
    ::execlp("slapd", "slapd", "-f", conf.c_str(), "-h", urls.c_str(), "-d", "0",
             static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  for (int i = 0; i < 100; ++i) {
    if (accepts(port_) && (!o_.tls || accepts(ldaps_port_))) return;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("slapd exited at start; see " + log);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  throw std::runtime_error("slapd did not listen within 5 s; see " + log);
}

void Slapd::kill() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

}  // namespace rcc::test
