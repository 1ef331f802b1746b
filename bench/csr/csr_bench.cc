// rcc_csr_bench: `rcc-csr new` against `openssl req -new -newkey` for each key type, and
// `rcc-csr check` on a 3-certificate chain against `openssl verify`. Each pair runs alternately
// (so drift in machine load hits both), N times; prints the median wall times and the ratio
// rcc-csr / openssl (below 1: rcc-csr is faster). Not a test: it asserts nothing.
//
//   rcc_csr_bench [--runs N] [--rsa-runs N] [--rcc-csr PATH] [--openssl PATH]
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

extern char** environ;

namespace {

using Clock = std::chrono::steady_clock;
using Command = std::vector<std::string>;

// Runs `argv` with stdin, stdout and stderr on /dev/null; returns its wall time in ms, or a
// negative number when it did not exit 0.
double run(const Command& argv) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const auto start = Clock::now();
  pid_t pid = 0;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) return -1;
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? ms : -1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

struct Pair {
  std::string name;
  Command ours, theirs;
  int runs;
};

bool setup_ok = true;

void must(const Command& argv) {
  if (run(argv) < 0) {
    std::string line;
    for (const auto& a : argv)
      line += a + ' ';
    std::fprintf(stderr, "rcc_csr_bench: setup step failed: %s\n", line.c_str());
    setup_ok = false;
  }
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 21, rsa_runs = 11;
  std::string csr = RCC_CSR_PATH, openssl = "openssl";
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--runs") {
      runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (a == "--rsa-runs") {
      rsa_runs = std::max(1, std::atoi(argv[i + 1]));
    } else if (a == "--rcc-csr") {
      csr = argv[i + 1];
    } else if (a == "--openssl") {
      openssl = argv[i + 1];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--runs N] [--rsa-runs N] [--rcc-csr PATH] [--openssl PATH]\n",
                   argv[0]);
      return 2;
    }
  }
  char dir_template[] = "/tmp/rcc-csr-bench.XXXXXX";
  if (::mkdtemp(dir_template) == nullptr) return 2;
  const std::string dir = dir_template;
  auto f = [&](const char* name) { return dir + "/" + name; };

  // A 3-certificate chain made by openssl (not timed): root, intermediate, leaf.
  const Command ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"};
  auto with = [](Command a, const Command& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  };
  {
    std::FILE* ca = std::fopen(f("ca.ext").c_str(), "w");
    std::fputs("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n", ca);
    std::fclose(ca);
    std::FILE* leaf = std::fopen(f("leaf.ext").c_str(), "w");
    std::fputs(
        "extendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=DNS:bench.example.com\n"
        "keyUsage=critical,digitalSignature\n",
        leaf);
    std::fclose(leaf);
  }
  must(with({openssl, "req", "-x509"}, with(ec, {"-keyout", f("root.key"), "-out", f("root.crt"),
                                                 "-days", "365", "-subj", "/CN=bench root"})));
  must(with({openssl, "req", "-new"}, with(ec, {"-keyout", f("inter.key"), "-out", f("inter.csr"),
                                                "-subj", "/CN=bench inter"})));
  must({openssl, "x509", "-req", "-in", f("inter.csr"), "-CA", f("root.crt"), "-CAkey",
        f("root.key"), "-CAcreateserial", "-days", "365", "-extfile", f("ca.ext"), "-out",
        f("inter.crt")});
  must(with({openssl, "req", "-new"}, with(ec, {"-keyout", f("leaf.key"), "-out", f("leaf.csr"),
                                                "-subj", "/CN=bench.example.com"})));
  must({openssl, "x509", "-req", "-in", f("leaf.csr"), "-CA", f("inter.crt"), "-CAkey",
        f("inter.key"), "-CAcreateserial", "-days", "365", "-extfile", f("leaf.ext"), "-out",
        f("leaf.crt")});
  if (!setup_ok) return 2;

  std::vector<Pair> pairs;
  const struct {
    const char* ours;
    Command theirs;
    bool rsa;
  } types[] = {
      {"rsa:2048", {"-newkey", "rsa:2048"}, true},
      {"rsa:3072", {"-newkey", "rsa:3072"}, true},
      {"rsa:4096", {"-newkey", "rsa:4096"}, true},
      {"ec:p256", {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"}, false},
      {"ec:p384", {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-384"}, false},
  };
  for (const auto& t : types) {
    // The same request both ways: CN, SAN, both EKUs, keyUsage; a new unencrypted key.
    pairs.push_back(
        {std::string("new ") + t.ours,
         {csr, "new", "--cn", "bench.example.com", "--key-type", t.ours, "-o", f("ours.csr"),
          "--key-out", f("ours.key"), "--force"},
         with(with({openssl, "req", "-new"}, t.theirs),
              {"-nodes", "-keyout", f("theirs.key"), "-out", f("theirs.csr"), "-subj",
               "/CN=bench.example.com", "-addext", "subjectAltName=DNS:bench.example.com",
               "-addext", "extendedKeyUsage=serverAuth,clientAuth", "-addext",
               "keyUsage=critical,digitalSignature,keyEncipherment"}),
         t.rsa ? rsa_runs : runs});
  }
  pairs.push_back(
      {"check 3-cert chain",
       {csr, "check", "--cert", f("leaf.crt"), "--chain", f("inter.crt"), "--trust", f("root.crt"),
        "--fqdn", "bench.example.com"},
       {openssl, "verify", "-CAfile", f("root.crt"), "-untrusted", f("inter.crt"), f("leaf.crt")},
       runs});

  std::printf("%-20s %6s %14s %14s %8s\n", "case", "runs", "rcc-csr ms", "openssl ms", "ratio");
  int status = 0;
  for (const auto& p : pairs) {
    run(p.ours);  // warm the page cache for both binaries
    run(p.theirs);
    std::vector<double> ours, theirs;
    for (int i = 0; i < p.runs; ++i) {
      // Alternate which goes first, so neither always runs right after the other.
      const bool ours_first = i % 2 == 0;
      const double a = ours_first ? run(p.ours) : 0;
      const double b = run(p.theirs);
      const double c = ours_first ? a : run(p.ours);
      if (c < 0 || b < 0) {
        std::fprintf(stderr, "rcc_csr_bench: %s: a command failed\n", p.name.c_str());
        status = 1;
        break;
      }
      ours.push_back(c);
      theirs.push_back(b);
    }
    if (ours.empty()) continue;
    const double mo = median(ours), mt = median(theirs);
    std::printf("%-20s %6d %14.2f %14.2f %8.2f\n", p.name.c_str(), p.runs, mo, mt, mo / mt);
  }
  std::error_code ec_ignored;
  std::filesystem::remove_all(dir, ec_ignored);
  return status;
}
