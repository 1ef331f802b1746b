#pragma once
// A real rcc-ctisim process for tests: started on 127.0.0.1 port 0 (it prints the ports it got),
// driven through its control port, stopped with SIGTERM (SIGKILL after 5 s) when destroyed.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace rcc::testing {

inline std::string sim_binary() {
  return std::string(std::getenv("RCC_BUILD_DIR")) + "/tools/rcc-ctisim/rcc-ctisim";
}
inline std::string example_directory() {
  return std::string(std::getenv("RCC_SOURCE_DIR")) + "/examples/directory.toml";
}

class SimProcess {
 public:
  /// `listen` "127.0.0.1:0" unless a test restarts a node on its old port.
  explicit SimProcess(std::vector<std::string> extra = {}, std::string listen = "127.0.0.1:0",
                      std::string directory = example_directory()) {
    std::vector<std::string> args = {sim_binary(), "--directory", directory,     "--listen",
                                     listen,       "--control",   "127.0.0.1:0", "-q"};
    args.insert(args.end(), extra.begin(), extra.end());
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_addclose(&fa, out[0]);
    std::vector<char*> argv;
    for (auto& a : args)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    if (posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), environ) != 0)
      throw std::runtime_error("cannot start " + args[0]);
    posix_spawn_file_actions_destroy(&fa);
    close(out[1]);
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (text.find("control ") == std::string::npos || text.back() != '\n') {
      pollfd p{out[0], POLLIN, 0};
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0 || poll(&p, 1, int(left.count())) <= 0) {
        stop();
        throw std::runtime_error("rcc-ctisim did not say its ports: '" + text + "'");
      }
      char buf[256];
      const ssize_t n = read(out[0], buf, sizeof buf);
      if (n <= 0) {
        stop();
        throw std::runtime_error("rcc-ctisim exited: '" + text + "'");
      }
      text.append(buf, std::size_t(n));
    }
    close(out[0]);
    cti_port_ = port_after(text, "cti 127.0.0.1:");
    control_port_ = port_after(text, "control 127.0.0.1:");
  }
  ~SimProcess() { stop(); }
  SimProcess(const SimProcess&) = delete;
  SimProcess& operator=(const SimProcess&) = delete;

  unsigned short port() const { return cti_port_; }
  std::string address() const { return "127.0.0.1:" + std::to_string(cti_port_); }

  /// Sends one control command, returns the reply line (without its newline).
  std::string control(const std::string& line) const {
    const int fd = connect_to(control_port_);
    const std::string msg = line + "\n";
    if (::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL) != ssize_t(msg.size())) {
      ::close(fd);
      throw std::runtime_error("control send");
    }
    std::string reply;
    char c;
    while (::recv(fd, &c, 1, 0) == 1 && c != '\n')
      reply += c;
    ::close(fd);
    return reply;
  }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 500; ++i) {
      if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

  /// A blocking TCP socket to `port` on 127.0.0.1 with a 5 s receive timeout.
  static int connect_to(unsigned short port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      throw std::runtime_error("connect to " + std::to_string(port));
    }
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
  }

 private:
  static unsigned short port_after(const std::string& text, const std::string& prefix) {
    const auto at = text.find(prefix);
    if (at == std::string::npos) throw std::runtime_error("no '" + prefix + "' in " + text);
    return static_cast<unsigned short>(std::stoul(text.substr(at + prefix.size())));
  }

  pid_t pid_ = -1;
  unsigned short cti_port_ = 0;
  unsigned short control_port_ = 0;
};

}  // namespace rcc::testing
