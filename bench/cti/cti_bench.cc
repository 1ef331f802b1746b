// MakeCall-and-events through one CTI link to a real rcc-ctisim process, and the raw TCP echo
// round trip on the same loopback in the same run (the ceiling no CTI exchange can beat).
//
// One iteration = MakeCall A->B, its response and every event up to DeliveredEvent at A's
// monitor, then ClearConnection A and every event up to B's ConnectionCleared at A's monitor:
// two requests, 7 to 8 frames back. The directory holds 1000 devices (DNs 10000..10999); the
// argument is how many of them the session monitors, so the simulator's fan-out grows with it.
// Counters: p50_us / p99_us of one iteration, and iterations per second.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <thread>

#include "cti/link.h"
#include "cti/sim_process.h"

namespace {

using namespace rcc;
using Clock = std::chrono::steady_clock;
constexpr int kDevices = 1000;

std::string write_directory() {
  const std::string path = "/tmp/rcc_cti_bench_" + std::to_string(::getpid()) + ".toml";
  std::ofstream f(path);
  for (int i = 0; i < kDevices; ++i)
    f << "[[device]]\nname = \"SEP" << 100000 + i << "\"\nmodel = \"Cisco 7942\"\n"
      << "registered = true\nlines = [{ dn = \"" << 10000 + i << "\" }]\n";
  f << "[[application-user]]\nid = \"bench\"\npassword = \"bench\"\n"
    << "groups = [\"Standard CTI Enabled\"]\n";
  return path;
}

void percentiles(benchmark::State& state, std::vector<double>& us) {
  if (us.empty()) return;
  std::sort(us.begin(), us.end());
  state.counters["p50_us"] = us[us.size() / 2];
  state.counters["p99_us"] = us[std::min(us.size() - 1, us.size() * 99 / 100)];
}

void BM_MakeCallAndEvents(benchmark::State& state) {
  const int monitored = int(state.range(0));
  const std::string dir = write_directory();
  testing::SimProcess sim({}, "127.0.0.1:0", dir);
  boost::asio::io_context ioc;
  cti::LinkOptions o;
  o.node = *cti::parse_node_address(sim.address());
  o.user = "bench";
  o.password = "bench";
  o.heartbeat_interval = std::chrono::milliseconds(0);
  std::string a_xref;
  int delivered_at_a = 0, cleared_at_a = 0;
  cti::LinkHandlers h;
  std::string b_dev;
  h.on_event = [&](const csta::Message& m) {
    if (auto* d = std::get_if<csta::DeliveredEvent>(&m.body))
      delivered_at_a += d->monitor_cross_ref_id == a_xref;
    if (auto* c = std::get_if<csta::ConnectionClearedEvent>(&m.body))
      cleared_at_a += c->monitor_cross_ref_id == a_xref && c->dropped_connection.device_id == b_dev;
  };
  auto link = cti::Link::create(ioc, o, h);
  bool up = false;
  link->start([&](Result<void> r) { up = bool(r); });
  auto run_until = [&](auto pred) {
    const auto deadline = Clock::now() + std::chrono::seconds(10);
    while (!pred() && Clock::now() < deadline)
      ioc.run_one_for(std::chrono::milliseconds(100));
    return pred();
  };
  if (!run_until([&] { return up; })) {
    state.SkipWithError("no session");
    return;
  }
  std::vector<std::string> xrefs;
  for (int i = 0; i < monitored; ++i) {
    std::optional<Result<csta::Message>> r;
    link->request(csta::MonitorStart{std::to_string(10000 + i)},
                  [&](Result<csta::Message> x) { r = std::move(x); });
    run_until([&] { return r.has_value(); });
    auto* ok = r && *r ? std::get_if<csta::MonitorStartResponse>(&(*r)->body) : nullptr;
    if (!ok) {
      state.SkipWithError("MonitorStart failed");
      return;
    }
    xrefs.push_back(ok->monitor_cross_ref_id);
  }
  std::vector<double> us;
  int k = 0;
  for (auto _ : state) {
    const int a = k % monitored;
    const std::string a_dev = std::to_string(10000 + a);
    b_dev = std::to_string(10000 + (a + 1) % kDevices);
    a_xref = xrefs[std::size_t(a)];
    ++k;
    const auto t0 = Clock::now();
    const int want_delivered = delivered_at_a + 1, want_cleared = cleared_at_a + 1;
    std::optional<Result<csta::Message>> made, cleared;
    link->request(csta::MakeCall{a_dev, b_dev, std::nullopt},
                  [&](Result<csta::Message> x) { made = std::move(x); });
    run_until([&] { return made.has_value() && delivered_at_a >= want_delivered; });
    auto* resp = made && *made ? std::get_if<csta::MakeCallResponse>(&(*made)->body) : nullptr;
    if (!resp) {
      state.SkipWithError("MakeCall failed");
      return;
    }
    link->request(csta::ClearConnection{resp->calling_device},
                  [&](Result<csta::Message> x) { cleared = std::move(x); });
    if (!run_until([&] { return cleared.has_value() && cleared_at_a >= want_cleared; })) {
      state.SkipWithError("events missing");
      return;
    }
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  state.SetItemsProcessed(state.iterations());
  percentiles(state, us);
  link->close();
  std::remove(dir.c_str());
}
BENCHMARK(BM_MakeCallAndEvents)->Arg(1)->Arg(100)->Arg(1000)->UseRealTime();

/// A blocking echo server on 127.0.0.1, one thread.
void BM_TcpEchoRoundTrip(benchmark::State& state) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    state.SkipWithError("listen");
    return;
  }
  std::thread echo([listener] {
    const int c = ::accept(listener, nullptr, nullptr);
    const int one = 1;
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char buf[4096];
    for (ssize_t n; (n = ::recv(c, buf, sizeof buf, 0)) > 0;)
      if (::send(c, buf, std::size_t(n), MSG_NOSIGNAL) != n) break;
    ::close(c);
  });
  const int fd = testing::SimProcess::connect_to(ntohs(addr.sin_port));
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  // About the size of a MakeCall frame.
  const std::string msg(300, 'x');
  std::vector<char> back(msg.size());
  std::vector<double> us;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    ::send(fd, msg.data(), msg.size(), MSG_NOSIGNAL);
    std::size_t got = 0;
    while (got < msg.size()) {
      const ssize_t n = ::recv(fd, back.data() + got, back.size() - got, 0);
      if (n <= 0) break;
      got += std::size_t(n);
    }
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
  }
  ::close(fd);
  echo.join();
  ::close(listener);
  state.SetItemsProcessed(state.iterations());
  percentiles(state, us);
}
BENCHMARK(BM_TcpEchoRoundTrip)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  setenv("RCC_BUILD_DIR", RCC_BUILD_DIR_DEFAULT, 0);
  setenv("RCC_SOURCE_DIR", RCC_SOURCE_DIR_DEFAULT, 0);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  return 0;
}
