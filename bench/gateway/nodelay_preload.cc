// bench/gateway: an LD_PRELOAD shim for one experiment row of gateway_bench.py. It sets
// TCP_NODELAY on every TCP socket the process accepts or connects (accept, accept4, connect),
// which the gateway's SIP transport does not do as the code stands (only the CTI link and the
// simulator set it). The row "with TCP_NODELAY" shows what that option is worth on the INFO round
// trip; the gateway's own code is unchanged. Not a library to ship.
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif
#include <dlfcn.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace {

void set_nodelay(int fd) {
  if (fd < 0) return;
  int type = 0;
  socklen_t len = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return;
  sockaddr_storage self{};
  socklen_t self_len = sizeof self;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&self), &self_len) != 0) return;
  if (self.ss_family != AF_INET && self.ss_family != AF_INET6) return;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

template <typename F>
F next(const char* name) {
  return reinterpret_cast<F>(dlsym(RTLD_NEXT, name));
}

}  // namespace

extern "C" {

int accept(int fd, sockaddr* addr, socklen_t* len) {
  static auto real = next<int (*)(int, sockaddr*, socklen_t*)>("accept");
  const int s = real(fd, addr, len);
  set_nodelay(s);
  return s;
}

int accept4(int fd, sockaddr* addr, socklen_t* len, int flags) {
  static auto real = next<int (*)(int, sockaddr*, socklen_t*, int)>("accept4");
  const int s = real(fd, addr, len, flags);
  set_nodelay(s);
  return s;
}

int connect(int fd, const sockaddr* addr, socklen_t len) {
  static auto real = next<int (*)(int, const sockaddr*, socklen_t)>("connect");
  set_nodelay(fd);
  return real(fd, addr, len);
}

}  // extern "C"
