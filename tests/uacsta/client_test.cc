// The uaCSTA client against a SIP stack over real loopback sockets: sign-in, a CSTA request in
// an INFO, the server's event INFO, a refused INVITE, OPTIONS, a refresh by UPDATE, a 503 with
// Retry-After, and no server at all.
#include <catch2/catch.hpp>

#include <boost/asio/io_context.hpp>

#include "csta/codec.h"
#include "csta/services.h"
#include "sip/transport_stack.h"
#include "uacsta/client.h"

namespace sip = rcc::sip;
namespace csta = rcc::csta;
using rcc::uacsta::Client;
using rcc::uacsta::ClientOptions;
using rcc::uacsta::Reply;
using rcc::uacsta::SessionId;

namespace {

std::string xml(csta::Body b) {
  return csta::encode(csta::Message{csta::Namespace::ed3, std::move(b)});
}

/// A gateway in miniature: accepts sign-ins (refuses From "sip:refused@..."), answers every INFO
/// with MonitorStartResponse and then sends a SystemStatus event INFO in the dialog.
struct Server : sip::DialogHandler {
  sip::Stack* stack = nullptr;
  int infos_answered = 0;
  void on_invite(const sip::Dialog& d, sip::TxnId txn, const sip::Message&) override {
    sip::Answer a;
    if (d.remote_uri.find("busy") != std::string::npos) {
      a.status = 503;
      a.headers.push_back({"Retry-After", "7;duration=60"});
    } else if (d.remote_uri.find("refused") != std::string::npos) {
      a.status = 403;
      a.headers.push_back({"Warning", "399 test \"rcc-disabled: no\""});
    } else {
      a.body = xml(csta::RequestSystemStatusResponse{"normal"});
      a.content_type = "application/csta+xml";
    }
    REQUIRE(stack->dialogs().answer(txn, a));
  }
  void on_info(const sip::Dialog& d, sip::TxnId txn, const sip::Message&) override {
    ++infos_answered;
    REQUIRE(stack->dialogs().answer(
        txn,
        {200, xml(csta::MonitorStartResponse{"x7", std::nullopt}), "application/csta+xml", {}}));
    REQUIRE(stack->dialogs().send_info(d.key, xml(csta::SystemStatus{"normal"}),
                                       "application/csta+xml"));
  }
  void on_info_result(const sip::Dialog&, std::uint64_t, const sip::Message*,
                      std::error_code) override {}
  void on_dialog_ended(const sip::Dialog&, std::error_code) override {}
};

/// The miniature gateway listening on loopback, and a client's options pointing at it.
struct Listening {
  boost::asio::io_context io;
  Server server;
  sip::Stack stack{io, server};
  ClientOptions options;
  Listening() {
    server.stack = &stack;
    auto port = stack.listen_tcp("127.0.0.1", 0);
    REQUIRE(port);
    sip::Stack::Identity id;
    id.tcp_sent_by = "127.0.0.1:" + std::to_string(*port);
    id.tcp_contact = "sip:rcc-gw@" + id.tcp_sent_by + ";transport=tcp";
    stack.set_identity(id);
    options.gateway = id.tcp_sent_by;
  }
};

}  // namespace

TEST_CASE("uaCSTA client signs in, sends a request, gets the server's event, signs out",
          "[uacsta]") {
  Listening gw;
  auto& io = gw.io;
  auto& stack = gw.stack;
  Client client(io, gw.options);
  REQUIRE(client.start());
  std::vector<std::string> events;
  client.on_event = [&](SessionId, const csta::Message& m) {
    if (std::holds_alternative<csta::SystemStatus>(m.body)) events.push_back("SystemStatus");
  };
  std::optional<Reply> options, signed_in, refused, monitor;
  client.options([&](Reply r) { options = r; });
  SessionId session = client.sign_in(
      "sip:alice@example.com", "tel:5001;phone-context=dialstring", [&](SessionId s, Reply r) {
        signed_in = r;
        client.request(s, csta::MonitorStart{"tel:5001"}, [&](Reply m) { monitor = m; });
      });
  client.sign_in("sip:refused@example.com", "", [&](SessionId, Reply r) { refused = r; });
  for (int i = 0; i < 200 && (!monitor || !refused || events.empty()); ++i)
    io.run_for(std::chrono::milliseconds(10));
  REQUIRE(options);
  CHECK(options->status == 200);
  REQUIRE(signed_in);
  CHECK(signed_in->status == 200);
  REQUIRE(signed_in->csta);
  CHECK(std::holds_alternative<csta::RequestSystemStatusResponse>(signed_in->csta->body));
  REQUIRE(monitor);
  REQUIRE(monitor->csta);
  CHECK(std::get<csta::MonitorStartResponse>(monitor->csta->body).monitor_cross_ref_id == "x7");
  CHECK(events == std::vector<std::string>{"SystemStatus"});
  REQUIRE(refused);
  CHECK(refused->status == 403);
  CHECK(refused->warning.find("rcc-disabled") != std::string::npos);
  CHECK(stack.dialogs().dialog_count() == 1);
  client.sign_out(session);
  for (int i = 0; i < 100 && stack.dialogs().dialog_count() > 0; ++i)
    io.run_for(std::chrono::milliseconds(10));
  CHECK(stack.dialogs().dialog_count() == 0);
  client.stop();
  stack.stop();
}

TEST_CASE("uaCSTA client reports no answer when nothing listens, within its timeout", "[uacsta]") {
  boost::asio::io_context io;
  // A port that was free a moment ago: nothing listens there.
  boost::asio::ip::tcp::acceptor probe(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
  const auto port = probe.local_endpoint().port();
  probe.close();
  ClientOptions o;
  o.gateway = "127.0.0.1:" + std::to_string(port);
  o.timeout = std::chrono::milliseconds(500);
  Client client(io, o);
  REQUIRE(client.start());
  std::optional<Reply> r;
  client.options([&](Reply x) { r = x; });
  for (int i = 0; i < 300 && !r; ++i)
    io.run_for(std::chrono::milliseconds(10));
  REQUIRE(r);
  CHECK(r->status == 0);
  CHECK_FALSE(r->error.empty());
  client.stop();
}

TEST_CASE("uaCSTA client refreshes by UPDATE, reads Retry-After, and hears a lost dialog",
          "[uacsta]") {
  Listening gw;
  auto& io = gw.io;
  auto& stack = gw.stack;
  Client client(io, gw.options);
  REQUIRE(client.start());
  std::vector<SessionId> ended;
  client.on_ended = [&](SessionId s, std::error_code) { ended.push_back(s); };

  std::optional<Reply> signed_in, busy, refreshed, lost;
  const SessionId session =
      client.sign_in("sip:alice@example.com", "", [&](SessionId, Reply r) { signed_in = r; });
  client.sign_in("sip:busy@example.com", "", [&](SessionId, Reply r) { busy = r; });
  for (int i = 0; i < 200 && (!signed_in || !busy); ++i)
    io.run_for(std::chrono::milliseconds(10));
  REQUIRE(signed_in);
  REQUIRE(signed_in->status == 200);
  REQUIRE(busy);
  CHECK(busy->status == 503);
  CHECK(busy->retry_after == 7);

  client.refresh(session, 600, [&](Reply r) { refreshed = r; });
  for (int i = 0; i < 200 && !refreshed; ++i)
    io.run_for(std::chrono::milliseconds(10));
  REQUIRE(refreshed);
  CHECK(refreshed->status == 200);
  CHECK(refreshed->session_expires == 600);
  CHECK(ended.empty());

  // The server forgets the dialog (a gateway restarted): the next refresh gets 481 and the
  // session ends on the client side too.
  REQUIRE(stack.dialogs().dialog_count() == 1);
  for (int k = 1; k < 100; ++k)
    if (stack.dialogs().find(k)) stack.dialogs().forget(k);
  REQUIRE(stack.dialogs().dialog_count() == 0);
  client.refresh(session, 600, [&](Reply r) { lost = r; });
  for (int i = 0; i < 200 && !lost; ++i)
    io.run_for(std::chrono::milliseconds(10));
  REQUIRE(lost);
  CHECK(lost->status == 481);
  CHECK(ended == std::vector<SessionId>{session});
  client.stop();
  stack.stop();
}
