#pragma once
// A synchronous face on cti::Link for tests: each call runs the io_context until the answer (or
// the events) arrive, or a deadline passes, so a hang fails instead of blocking.

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "cti/link.h"

namespace rcc::testing {

using namespace std::chrono_literals;

class TestClient {
 public:
  explicit TestClient(const std::string& address, std::string user = "rccgateway",
                      std::string password = "rcc-lab-password") {
    cti::LinkOptions o;
    o.node = *cti::parse_node_address(address);
    o.user = std::move(user);
    o.password = std::move(password);
    o.heartbeat_interval = 0ms;
    o.request_timeout = 3s;
    options_ = o;
  }
  cti::LinkOptions& options() { return options_; }

  Result<void> start() {
    cti::LinkHandlers h;
    h.on_event = [this](const csta::Message& m) { events.push_back(m); };
    h.on_down = [this](const Error& e) { down = e; };
    link = cti::Link::create(ioc, options_, std::move(h));
    std::optional<Result<void>> r;
    link->start([&](Result<void> x) { r = std::move(x); });
    run_until([&] { return r.has_value(); });
    if (!r) return Error(cti::Errc::request_timeout, "start did not finish");
    return *r;
  }

  Result<csta::Message> call(csta::Body body) {
    std::optional<Result<csta::Message>> r;
    link->request(std::move(body), [&](Result<csta::Message> x) { r = std::move(x); });
    run_until([&] { return r.has_value(); });
    if (!r) return Error(cti::Errc::request_timeout, "no answer in the test's time");
    return *r;
  }

  Result<void> heartbeat() {
    std::optional<Result<void>> r;
    link->heartbeat([&](Result<void> x) { r = std::move(x); });
    run_until([&] { return r.has_value(); });
    if (!r) return Error(cti::Errc::request_timeout, "no answer in the test's time");
    return *r;
  }

  /// Runs until `n` events are in, then a little longer so that extra events would show.
  const std::vector<csta::Message>& wait_events(std::size_t n) {
    run_until([&] { return events.size() >= n; });
    run_for(100ms);
    return events;
  }

  template <class Pred>
  bool run_until(Pred pred, std::chrono::milliseconds limit = 5s) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    ioc.restart();
    while (!pred()) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline) return false;
      ioc.run_one_for(deadline - now);
      if (ioc.stopped()) ioc.restart();
    }
    return true;
  }
  void run_for(std::chrono::milliseconds d) {
    ioc.restart();
    ioc.run_for(d);
  }

  boost::asio::io_context ioc;
  std::shared_ptr<cti::Link> link;
  std::vector<csta::Message> events;
  std::optional<Error> down;

 private:
  cti::LinkOptions options_;
};

}  // namespace rcc::testing
