// RFC 3261 §17 transactions over a reliable transport, with time driven by hand.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sip/error.h"
#include "sip/parser.h"
#include "sip/response.h"
#include "sip/transaction.h"
#include "sip_harness.h"
#include "sip_test_util.h"

namespace sip = rcc::sip;
using sip::Errc;
using sip::Timer;

namespace {

struct User : sip::TransactionUser {
  std::vector<std::pair<sip::TxnId, sip::Message>> requests;
  std::vector<std::pair<sip::TxnId, sip::Message>> responses;
  std::vector<std::pair<sip::TxnId, std::error_code>> failures;
  void on_request(sip::TxnId t, sip::Flow, const sip::Message& m) override {
    requests.emplace_back(t, m);
  }
  void on_response(sip::TxnId t, const sip::Message& m) override { responses.emplace_back(t, m); }
  void on_failure(sip::TxnId t, std::error_code e) override { failures.emplace_back(t, e); }
};

sip::Message load(const char* name) {
  auto m = sip::parse(sip::test::read_data(std::string("uacsta/") + name + ".sip"));
  REQUIRE(m);
  return *m;
}

sip::Message ack_for(const sip::Message& invite, const sip::Message& response) {
  sip::Message ack;
  ack.method = "ACK";
  ack.request_uri = invite.request_uri;
  ack.add("Via", *invite.header("Via"));  // same branch: ACK for a non-2xx (§17.1.1.3)
  ack.add("Max-Forwards", "70");
  ack.add("From", *invite.header("From"));
  ack.add("To", *response.header("To"));
  ack.add("Call-ID", std::string(invite.call_id()));
  ack.add("CSeq", std::to_string(invite.cseq()->number) + " ACK");
  ack.add("Content-Length", "0");
  return ack;
}

}  // namespace

TEST_CASE("server INVITE transaction sends 100 at once and ends with a 2xx", "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  const auto invite = load("invite_request_system_status");
  layer.receive(7, invite);
  REQUIRE(out.sent.size() == 1);
  CHECK(out.sent[0].flow == 7);
  CHECK(out.last().status == 100);
  REQUIRE(user.requests.size() == 1);
  const auto txn = user.requests[0].first;
  // A retransmission is absorbed and answered with the latest response.
  layer.receive(7, invite);
  CHECK(user.requests.size() == 1);
  CHECK(out.sent.size() == 2);
  REQUIRE(layer.respond(txn, sip::make_response(invite, 200, "gw")));
  CHECK(out.last().status == 200);
  CHECK(layer.size() == 0);
  auto again = layer.respond(txn, sip::make_response(invite, 200, "gw"));
  REQUIRE_FALSE(again);
  CHECK(again.error().code() == Errc::unknown_transaction);
}

TEST_CASE("server INVITE transaction waits for the ACK of a failure under Timer H", "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  const auto invite = load("invite_request_system_status");
  layer.receive(1, invite);
  const auto txn = user.requests.at(0).first;
  const auto busy = sip::make_response(invite, 486, "gw");
  REQUIRE(layer.respond(txn, busy));
  REQUIRE(out.timers.size() == 1);
  CHECK(out.timers[0].timer == Timer::H);
  CHECK(out.timers[0].after == std::chrono::milliseconds(32000));
  layer.receive(1, invite);  // retransmitted INVITE: the 486 again
  CHECK(out.last().status == 486);

  SECTION("the ACK ends it and Timer H later does nothing") {
    layer.receive(1, ack_for(invite, busy));
    CHECK(layer.size() == 0);
    CHECK(user.requests.size() == 1);  // that ACK is not handed up
    layer.timer_fired(txn, Timer::H);
    CHECK(user.failures.empty());
  }
  SECTION("without an ACK, Timer H ends it with a timeout") {
    layer.timer_fired(txn, Timer::H);
    REQUIRE(user.failures.size() == 1);
    CHECK(user.failures[0].second == Errc::transaction_timeout);
    CHECK(layer.size() == 0);
  }
}

TEST_CASE("an ACK for a 2xx goes to the dialog layer outside any transaction", "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  layer.receive(1, load("ack"));
  REQUIRE(user.requests.size() == 1);
  CHECK(user.requests[0].first == 0);
  CHECK(user.requests[0].second.method == "ACK");
}

TEST_CASE("server non-INVITE transaction answers once and absorbs retransmissions", "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  const auto info = load("info_make_call");
  layer.receive(3, info);
  REQUIRE(user.requests.size() == 1);
  CHECK(out.sent.empty());  // no 100 for a non-INVITE
  layer.receive(3, info);   // retransmitted before any answer: nothing to send
  CHECK(out.sent.empty());
  CHECK(user.requests.size() == 1);
  REQUIRE(layer.respond(user.requests[0].first, sip::make_response(info, 200)));
  CHECK(out.sent.size() == 1);
  CHECK(out.sent[0].flow == 3);
  CHECK(layer.size() == 0);  // Timer J is zero over TCP and TLS
}

TEST_CASE("client non-INVITE transaction reports responses and ends on the final one",
          "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  const auto event = load("info_delivered_event");
  auto txn = layer.request(9, event);
  REQUIRE(txn);
  REQUIRE(out.sent.size() == 1);
  REQUIRE(out.timers.size() == 1);
  CHECK(out.timers[0].timer == Timer::F);
  CHECK(out.timers[0].after == std::chrono::milliseconds(32000));
  layer.receive(9, sip::make_response(event, 100));
  layer.receive(9, sip::make_response(event, 200));
  REQUIRE(user.responses.size() == 2);
  CHECK(user.responses[1].second.status == 200);
  CHECK(layer.size() == 0);
  layer.timer_fired(*txn, Timer::F);  // stale timer: ignored
  CHECK(user.failures.empty());
  layer.receive(9, sip::make_response(event, 200));  // stray: dropped
  CHECK(user.responses.size() == 2);
}

TEST_CASE("client non-INVITE transaction times out with Timer F", "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  const auto event = load("info_delivered_event");
  auto txn = layer.request(9, event);
  REQUIRE(txn);
  layer.timer_fired(*txn, Timer::F);
  REQUIRE(user.failures.size() == 1);
  CHECK(user.failures[0].second == Errc::transaction_timeout);
  CHECK(sip::response_status(user.failures[0].second) == 408);
  layer.receive(9, sip::make_response(event, 200));
  CHECK(user.responses.empty());
}

TEST_CASE("a closed flow fails its client transactions", "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  REQUIRE(layer.request(4, load("info_delivered_event")));
  layer.receive(4, load("info_make_call"));
  CHECK(layer.size() == 2);
  layer.flow_closed(4);
  CHECK(layer.size() == 0);
  REQUIRE(user.failures.size() == 1);
  CHECK(user.failures[0].second == Errc::transport_closed);
}

TEST_CASE("a client request needs an RFC 3261 branch", "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  auto m = load("info_delivered_event");
  m.set("Via", "SIP/2.0/TLS gw.example.com;branch=1234");
  auto r = layer.request(1, m);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == Errc::bad_header_value);
  CHECK(out.sent.empty());
}

TEST_CASE("client INVITE transaction leaves the ACK of a 2xx to the dialog layer", "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  const auto invite = load("invite_request_system_status");
  auto txn = layer.request(3, invite);
  REQUIRE(txn);
  REQUIRE(out.sent.size() == 1);
  REQUIRE(out.timers.size() == 1);
  CHECK(out.timers[0].timer == Timer::B);
  layer.receive(3, sip::make_response(invite, 100));
  layer.receive(3, sip::make_response(invite, 200, "gw1"));
  REQUIRE(user.responses.size() == 2);
  CHECK(user.responses[1].second.status == 200);
  CHECK(out.sent.size() == 1);  // no ACK from the transaction (§13.2.2.4)
  CHECK(layer.size() == 0);
  layer.timer_fired(*txn, Timer::B);  // stale
  CHECK(user.failures.empty());
}

TEST_CASE("client INVITE transaction ACKs a failure itself, with the response's To tag",
          "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  const auto invite = load("invite_request_system_status");
  REQUIRE(layer.request(3, invite));
  const auto refused = sip::make_response(invite, 403, "gw2");
  layer.receive(3, refused);
  REQUIRE(user.responses.size() == 1);
  CHECK(user.responses[0].second.status == 403);
  REQUIRE(out.sent.size() == 2);
  const auto& ack = out.sent[1].message;
  CHECK(ack.method == "ACK");
  CHECK(ack.request_uri == invite.request_uri);
  CHECK(*ack.header("Via") == *invite.header("Via"));
  CHECK(*ack.header("To") == *refused.header("To"));
  CHECK(*ack.header("CSeq") == std::to_string(invite.cseq()->number) + " ACK");
  CHECK(layer.size() == 0);
}

TEST_CASE("client INVITE transaction times out with Timer B; ACK is never a transaction",
          "[sip][txn]") {
  sip::test::Recorder out;
  User user;
  sip::TransactionLayer layer(out, user);
  const auto invite = load("invite_request_system_status");
  auto txn = layer.request(3, invite);
  REQUIRE(txn);
  layer.timer_fired(*txn, Timer::B);
  REQUIRE(user.failures.size() == 1);
  CHECK(user.failures[0].second == Errc::transaction_timeout);
  CHECK_FALSE(layer.request(3, load("ack")));
}
