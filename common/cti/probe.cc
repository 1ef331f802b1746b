#include "cti/probe.h"

#include <boost/asio/io_context.hpp>

#include "csta/services.h"

namespace rcc::cti {
namespace {

using Clock = std::chrono::steady_clock;

double ms(std::chrono::nanoseconds d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

}  // namespace

std::string describe(const Error& e) {
  const auto& c = e.code();
  if (c == Errc::connect_failed) return "connection refused (" + e.detail() + ")";
  if (c == Errc::connect_timeout) return "timed out connecting";
  if (c == Errc::tls_failed) return "TLS handshake failed (" + e.detail() + ")";
  if (c == Errc::bad_credentials) return "wrong application user or password";
  if (c == Errc::no_permission) return "application user has no CTI permission";
  if (c == Errc::session_refused) return "session refused (" + e.detail() + ")";
  if (c == Errc::request_timeout) return "timed out waiting for an answer";
  if (c == Errc::frame_timeout) return "timed out in the middle of a frame";
  if (c == Errc::garbage) return "garbage: not CSTA XML over TCP (" + e.detail() + ")";
  if (c == Errc::link_down) return "link closed by the node";
  if (c == Errc::heartbeat_refused) return "heartbeat refused (" + e.detail() + ")";
  if (c == Errc::session_terminated) return "session terminated by the node";
  return e.message();
}

std::vector<NodeResult> probe_all(const std::vector<NodeAddress>& nodes, const LinkOptions& base) {
  boost::asio::io_context ioc;
  std::vector<NodeResult> results(nodes.size());
  std::vector<std::shared_ptr<Link>> links;
  for (std::size_t i = 0; i < nodes.size(); ++i) {
    NodeResult& r = results[i];
    r.node = nodes[i];
    LinkOptions o = base;
    o.node = nodes[i];
    o.heartbeat_interval = Millis(0);  // the probe sends its one heartbeat itself
    auto link = Link::create(ioc, std::move(o));
    links.push_back(link);
    const auto t0 = Clock::now();
    auto fail = [&r, t0](const Error& e) {
      r.ok = false;
      r.problem = describe(e);
      r.total_ms = ms(Clock::now() - t0);
    };
    link->start([&r, link, t0, fail](Result<void> started) {
      const auto& t = link->timings();
      if (t.connect.count() > 0) r.connect_ms = ms(t.connect);
      if (t.tls.count() > 0) r.tls_ms = ms(t.tls);
      if (!started) {
        fail(started.error());
        return;
      }
      r.session_ms = ms(t.session);
      const auto h0 = Clock::now();
      link->heartbeat([&r, link, t0, h0, fail](Result<void> hb) {
        if (!hb) {
          fail(hb.error());
          link->close();
          return;
        }
        r.rtt_ms = ms(Clock::now() - h0);
        link->stop([&r, t0](Result<void>) {
          // A node that answers the heartbeat is up, however it takes the goodbye.
          r.ok = true;
          r.total_ms = ms(Clock::now() - t0);
        });
      });
    });
  }
  ioc.run();
  return results;
}

RegistrationAnswers ask_registered(const LinkOptions& node, const std::vector<std::string>& dns) {
  boost::asio::io_context ioc;
  RegistrationAnswers out;
  out.registered.resize(dns.size());
  LinkOptions o = node;
  o.heartbeat_interval = Millis(0);
  auto link = Link::create(ioc, std::move(o));
  // One request at a time: the answers stay in order and a paced node is not flooded.
  std::function<void(std::size_t)> next = [&](std::size_t i) {
    if (i == dns.size()) {
      link->stop([](Result<void>) {});
      return;
    }
    link->request(csta::SnapshotDevice{dns[i]}, [&, i](Result<csta::Message> r) {
      if (r) {
        if (const auto* e = std::get_if<csta::CSTAErrorCode>(&r->body)) {
          if (e->value == "resourceOutOfService" || e->value == "deviceOutOfService")
            out.registered[i] = false;
        } else if (std::holds_alternative<csta::SnapshotDeviceResponse>(r->body)) {
          out.registered[i] = true;
        }
      }
      next(i + 1);
    });
  };
  link->start([&](Result<void> started) {
    if (!started) {
      out.problem = describe(started.error());
      return;
    }
    next(0);
  });
  ioc.run();
  return out;
}

}  // namespace rcc::cti
