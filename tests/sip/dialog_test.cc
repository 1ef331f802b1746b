// The dialog layer as the gateway uses it: the uaCSTA INVITE/INFO/UPDATE/BYE flow, 481 for
// unknown dialogs, RFC 4028 session timers (422, refresh, expiry) and in-dialog routing.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "sip/dialog.h"
#include "sip/error.h"
#include "sip/parser.h"
#include "sip/response.h"
#include "sip_harness.h"
#include "sip_test_util.h"

namespace sip = rcc::sip;
using sip::Errc;

namespace {

struct App : sip::DialogHandler {
  sip::DialogLayer* layer = nullptr;
  bool answer_now = true;
  std::vector<sip::TxnId> invites, infos;
  std::vector<std::pair<std::uint64_t, int>> results;  // request id, status (0: failure)
  std::vector<std::error_code> ended;
  void on_invite(const sip::Dialog&, sip::TxnId txn, const sip::Message&) override {
    invites.push_back(txn);
    if (answer_now) {
      sip::Answer a;
      a.body = "<RequestSystemStatusResponse/>";
      a.content_type = "application/csta+xml";
      REQUIRE(layer->answer(txn, a));
    }
  }
  void on_info(const sip::Dialog&, sip::TxnId txn, const sip::Message&) override {
    infos.push_back(txn);
    if (answer_now)
      REQUIRE(layer->answer(txn, {200, "<MakeCallResponse/>", "application/csta+xml", {}}));
  }
  void on_info_result(const sip::Dialog&, std::uint64_t id, const sip::Message* r,
                      std::error_code) override {
    results.emplace_back(id, r ? r->status : 0);
  }
  void on_dialog_ended(const sip::Dialog&, std::error_code why) override { ended.push_back(why); }
};

sip::Message load(const char* name) {
  auto m = sip::parse(sip::test::read_data(std::string("uacsta/") + name + ".sip"));
  REQUIRE(m);
  return *m;
}

struct World {
  sip::test::Recorder out;
  App app;
  sip::DialogLayer layer;
  std::string to_tag;
  World() : layer(out, app, config()) { app.layer = &layer; }
  static sip::DialogConfig config() {
    sip::DialogConfig c;
    c.contact = "sip:rcc-gw@gw.example.com:5061;transport=tls";
    c.via_transport = "TLS";
    c.via_sent_by = "gw.example.com:5061";
    return c;
  }
  // INVITE + 200 + ACK; returns the 200.
  sip::Message establish() {
    layer.receive(1, load("invite_request_system_status"));
    const auto ok = out.last();
    REQUIRE(ok.status == 200);
    to_tag = std::string(ok.to()->tag());
    layer.receive(1, in_dialog(load("ack")));
    return ok;
  }
  // A request of the notes, with the To tag the gateway chose.
  sip::Message in_dialog(sip::Message m) const {
    m.set("To", "<sip:rcc-gw@gw.example.com>;tag=" + to_tag);
    return m;
  }
  sip::DialogKey key() const { return 1; }
};

}  // namespace

TEST_CASE("dialog layer answers the uaCSTA INVITE with a 200 that starts the dialog",
          "[sip][dialog]") {
  World w;
  const auto ok = w.establish();
  REQUIRE(w.out.sent.size() == 2);  // 100 Trying, 200 OK
  CHECK(w.out.sent[0].message.status == 100);
  CHECK_FALSE(w.to_tag.empty());
  CHECK(ok.header("Record-Route") != nullptr);
  CHECK(*ok.header("Record-Route") == *load("invite_request_system_status").header("Record-Route"));
  CHECK(ok.contacts()->at(0).uri == "sip:rcc-gw@gw.example.com:5061;transport=tls");
  CHECK(ok.session_expires()->seconds == 1800);
  CHECK(ok.session_expires()->refresher == "uac");
  CHECK(ok.values("Require") == std::vector<std::string>{"timer"});
  CHECK(ok.content_type()->is("application", "csta+xml"));
  CHECK(ok.body == "<RequestSystemStatusResponse/>");
  REQUIRE(w.layer.find(w.key()));
  CHECK(w.layer.find(w.key())->confirmed);
  CHECK(w.layer.find(w.key())->route_set.size() == 1);
  // The session timer: BYE 32 s before expiry, since the client refreshes.
  REQUIRE(w.out.timers.size() == 1);
  CHECK(w.out.timers[0].after == std::chrono::seconds(1800 - 32));
}

TEST_CASE("dialog layer hands INFO to the application and sends its answer", "[sip][dialog]") {
  World w;
  w.establish();
  w.layer.receive(1, w.in_dialog(load("info_make_call")));
  REQUIRE(w.app.infos.size() == 1);
  const auto& ok = w.out.last();
  CHECK(ok.status == 200);
  CHECK(ok.body == "<MakeCallResponse/>");
  CHECK(ok.to()->tag() == w.to_tag);
  CHECK(ok.cseq()->method == "INFO");
}

TEST_CASE("dialog layer answers 481 to requests of unknown dialogs", "[sip][dialog]") {
  World w;
  w.establish();
  SECTION("a To tag nobody gave") {
    auto info = load("info_make_call");
    info.set("To", "<sip:rcc-gw@gw.example.com>;tag=stale");
    w.layer.receive(1, info);
  }
  SECTION("an INFO outside any dialog") {
    auto info = load("info_make_call");
    info.set("To", "<sip:rcc-gw@gw.example.com>");
    w.layer.receive(1, info);
  }
  SECTION("a BYE for another Call-ID") {
    auto bye = w.in_dialog(load("bye"));
    bye.set("Call-ID", "other@host");
    w.layer.receive(1, bye);
  }
  CHECK(w.out.last().status == 481);
  CHECK(w.out.last().reason == "Call/Transaction Does Not Exist");
  CHECK(w.app.infos.empty());
  CHECK(w.layer.dialog_count() == 1);
}

TEST_CASE("dialog layer refuses a session interval below Min-SE with 422", "[sip][dialog]") {
  World w;
  auto invite = load("invite_request_system_status");
  invite.set("Session-Expires", "60");
  w.layer.receive(1, invite);
  CHECK(w.out.last().status == 422);
  CHECK(*w.out.last().header("Min-SE") == "90");
  CHECK(w.layer.dialog_count() == 0);
  CHECK(w.app.invites.empty());
}

TEST_CASE("dialog layer refreshes the session on UPDATE and on re-INVITE", "[sip][dialog]") {
  World w;
  w.establish();
  const auto first_timer = w.out.timers.back();
  CHECK(w.layer.refreshes() == 0);  // the initial INVITE is no refresh
  w.layer.receive(1, w.in_dialog(load("update_refresh")));
  const auto ok = w.out.last();
  CHECK(ok.status == 200);
  CHECK(ok.cseq()->method == "UPDATE");
  CHECK(w.layer.refreshes() == 1);
  CHECK(ok.session_expires()->seconds == 1800);
  REQUIRE(w.out.timers.size() == 2);
  // The timer armed before the refresh is now stale: firing it ends nothing.
  w.layer.timer_fired(first_timer.owner, first_timer.timer);
  CHECK(w.layer.dialog_count() == 1);
  // A re-INVITE (CSeq above the UPDATE's) is handed to the application and refreshes again.
  auto reinvite = w.in_dialog(load("invite_request_system_status"));
  reinvite.set("CSeq", "10 INVITE");
  reinvite.set("Session-Expires", "600;refresher=uac");
  w.layer.receive(1, reinvite);
  CHECK(w.app.invites.size() == 2);
  CHECK(w.out.last().status == 200);
  CHECK(w.out.last().session_expires()->seconds == 600);
  CHECK(w.out.timers.back().after == std::chrono::seconds(600 - 32));
  CHECK(w.layer.refreshes() == 2);
  // An UPDATE asking for 30 s gets 422.
  auto small = w.in_dialog(load("update_refresh"));
  small.set("CSeq", "11 UPDATE");
  small.set("Session-Expires", "30");
  w.layer.receive(1, small);
  CHECK(w.out.last().status == 422);
  CHECK(w.layer.refreshes() == 2);
}

TEST_CASE("dialog layer sends BYE along the route set when the session expires", "[sip][dialog]") {
  World w;
  w.establish();
  const auto timer = w.out.timers.back();
  w.layer.timer_fired(timer.owner, timer.timer);
  const auto& bye = w.out.last();
  CHECK(bye.method == "BYE");
  CHECK(bye.request_uri == "sip:alice@example.com;opaque=user:epid:AbCdEf;gruu");
  CHECK(bye.routes()->at(0).uri ==
        "sip:ocsfe.example.com:5061;transport=tls;ms-role-rs-from;lr;ms-route-sig=aaXm7r");
  REQUIRE(w.app.ended.size() == 1);
  CHECK(w.app.ended[0] == Errc::session_expired);
  CHECK(w.layer.dialog_count() == 0);
}

TEST_CASE("dialog layer sends event INFOs one at a time back the way the dialog came",
          "[sip][dialog]") {
  World w;
  w.establish();
  const auto before = w.out.sent.size();
  auto first = w.layer.send_info(w.key(), "<DeliveredEvent/>", "application/csta+xml");
  auto second = w.layer.send_info(w.key(), "<EstablishedEvent/>", "application/csta+xml");
  REQUIRE(first);
  REQUIRE(second);
  REQUIRE(w.out.sent.size() == before + 1);  // the second waits for the first
  const auto info = w.out.last();
  CHECK(w.out.sent.back().flow == 1);
  CHECK(info.method == "INFO");
  CHECK(info.request_uri == "sip:alice@example.com;opaque=user:epid:AbCdEf;gruu");
  CHECK(info.routes()->size() == 1);
  CHECK(info.from()->tag() == w.to_tag);
  CHECK(info.to()->tag() == "8a9c2e1f");
  CHECK(info.cseq()->number == 1);
  CHECK(info.content_disposition()->type == "signal");
  CHECK(info.vias()->at(0).transport == "TLS");
  w.layer.receive(1, sip::make_response(info, 200));
  REQUIRE(w.app.results.size() == 1);
  CHECK(w.app.results[0] == std::make_pair(*first, 200));
  const auto next = w.out.last();
  CHECK(next.body == "<EstablishedEvent/>");
  CHECK(next.cseq()->number == 2);

  SECTION("a 481 to an event ends the dialog") {
    w.layer.receive(1, sip::make_response(next, 481));
    CHECK(w.app.ended.at(0) == Errc::unknown_dialog);
    CHECK(w.layer.dialog_count() == 0);
  }
  SECTION("Timer F on an event ends the dialog") {
    const auto f = w.out.timers.back();
    CHECK(f.timer == sip::Timer::F);
    w.layer.timer_fired(f.owner, f.timer);
    CHECK(w.app.results.back() == std::make_pair(*second, 0));
    CHECK(w.app.ended.at(0) == Errc::transaction_timeout);
  }
}

TEST_CASE("dialog layer puts a strict router in the Request-URI", "[sip][dialog]") {
  World w;
  auto invite = load("invite_request_system_status");
  invite.set("Record-Route", "<sip:strict.example.com>, <sip:loose.example.com;lr>");
  w.layer.receive(1, invite);
  w.to_tag = std::string(w.out.last().to()->tag());
  REQUIRE(w.layer.send_info(w.key(), "<x/>", "application/csta+xml"));
  const auto& info = w.out.last();
  CHECK(info.request_uri == "sip:strict.example.com");
  REQUIRE(info.routes()->size() == 2);
  CHECK(info.routes()->at(0).uri == "sip:loose.example.com;lr");
  CHECK(info.routes()->at(1).uri == "sip:alice@example.com;opaque=user:epid:AbCdEf;gruu");
}

TEST_CASE("dialog layer ends the dialog on BYE and answers it", "[sip][dialog]") {
  World w;
  w.establish();
  w.layer.receive(1, w.in_dialog(load("bye")));
  CHECK(w.out.last().status == 200);
  CHECK(w.out.last().cseq()->method == "BYE");
  REQUIRE(w.app.ended.size() == 1);
  CHECK_FALSE(w.app.ended[0]);
  CHECK(w.layer.dialog_count() == 0);
}

TEST_CASE("dialog layer refuses a CSeq that does not grow with 500", "[sip][dialog]") {
  World w;
  w.establish();
  auto info = w.in_dialog(load("info_make_call"));
  info.set("CSeq", "1 INFO");
  w.layer.receive(1, info);
  CHECK(w.out.last().status == 500);
  CHECK(w.app.infos.empty());
}

TEST_CASE("dialog layer answers OPTIONS, odd schemes and unknown extensions itself",
          "[sip][dialog]") {
  World w;
  auto options = load("info_make_call");
  options.method = "OPTIONS";
  options.set("CSeq", "5 OPTIONS");
  options.set("To", "<sip:rcc-gw@gw.example.com>");
  w.layer.receive(1, options);
  CHECK(w.out.last().status == 200);
  CHECK(w.out.last().values("Allow").size() == 7);
  auto odd = options;
  odd.request_uri = "mailto:someone@example.com";
  odd.set("Via", "SIP/2.0/TLS 192.0.2.10:49320;branch=z9hG4bKodd");
  w.layer.receive(1, odd);
  CHECK(w.out.last().status == 416);
  auto req = options;
  req.set("Via", "SIP/2.0/TLS 192.0.2.10:49320;branch=z9hG4bKreq");
  req.add("Require", "100rel, timer");
  w.layer.receive(1, req);
  CHECK(w.out.last().status == 420);
  CHECK(*w.out.last().header("Unsupported") == "100rel");
}

TEST_CASE("dialog layer answers later when the application takes its time", "[sip][dialog]") {
  World w;
  w.establish();
  w.app.answer_now = false;
  w.layer.receive(1, w.in_dialog(load("info_make_call")));
  REQUIRE(w.app.infos.size() == 1);
  CHECK(w.out.last().status == 200);  // still the INVITE's 200
  CHECK(w.out.last().cseq()->method == "INVITE");
  REQUIRE(w.layer.answer(w.app.infos[0], {200, "<late/>", "application/csta+xml", {}}));
  CHECK(w.out.last().body == "<late/>");
  auto twice = w.layer.answer(w.app.infos[0], {200, {}, {}, {}});
  REQUIRE_FALSE(twice);
  CHECK(twice.error().code() == Errc::unknown_transaction);
}

TEST_CASE("dialog layer keeps a dialog whose connection closed and follows the peer to its new one",
          "[sip][dialog]") {
  World w;
  w.establish();
  w.layer.flow_closed(1);
  CHECK(w.layer.dialog_count() == 1);
  CHECK(w.app.ended.empty());
  // The peer's next request comes on another connection: it reaches the dialog...
  auto info = w.in_dialog(load("info_make_call"));
  info.set("CSeq", "2 INFO");
  w.layer.receive(2, info);
  REQUIRE(w.app.infos.size() == 1);
  CHECK(w.out.last().status == 200);
  CHECK(w.out.sent.back().flow == 2);
  REQUIRE(w.layer.find(w.key()) != nullptr);
  CHECK(w.layer.find(w.key())->flow == 2);
  // ...and our next request is routed from there (the default route: the peer's connection).
  REQUIRE(w.layer.send_info(w.key(), "<DeliveredEvent/>", "application/csta+xml"));
  CHECK(w.out.last().method == "INFO");
  CHECK(w.out.sent.back().flow == 2);
}

TEST_CASE("dialog layer answers 481 to requests still pending when their dialog ends",
          "[sip][dialog]") {
  World w;
  w.establish();
  w.app.answer_now = false;
  auto info = w.in_dialog(load("info_make_call"));
  info.set("CSeq", "2 INFO");
  w.layer.receive(1, info);
  REQUIRE(w.app.infos.size() == 1);
  w.layer.forget(w.key());
  CHECK(w.out.last().status == 481);
  CHECK(w.layer.dialog_count() == 0);
}

TEST_CASE("dialog layer refuses a new INVITE past max_dialogs with 503 and Retry-After",
          "[sip][dialog]") {
  sip::test::Recorder out;
  App app;
  auto config = World::config();
  config.max_dialogs = 1;
  config.retry_after = 17;
  sip::DialogLayer layer(out, app, config);
  app.layer = &layer;
  layer.receive(1, load("invite_request_system_status"));
  REQUIRE(out.last().status == 200);
  auto second = load("invite_request_system_status");
  second.set("Call-ID", "another-call");
  second.set("Via", "SIP/2.0/TLS 10.0.0.1:5061;branch=z9hG4bKsecond");
  layer.receive(1, second);
  CHECK(out.last().status == 503);
  REQUIRE(out.last().header("Retry-After") != nullptr);
  CHECK(*out.last().header("Retry-After") == "17");
  CHECK(layer.dialog_count() == 1);
}

namespace {

struct Uac : sip::DialogHandler {
  std::vector<int> invite_results;  // status, 0: failure
  std::vector<sip::TxnId> infos;
  std::vector<std::pair<std::uint64_t, int>> request_results;
  sip::DialogLayer* layer = nullptr;
  void on_invite(const sip::Dialog&, sip::TxnId, const sip::Message&) override {}
  void on_info(const sip::Dialog&, sip::TxnId txn, const sip::Message&) override {
    infos.push_back(txn);
    REQUIRE(layer->answer(txn, {200, {}, {}, {}}));
  }
  bool bye_on_result = false;
  void on_info_result(const sip::Dialog& d, std::uint64_t, const sip::Message*,
                      std::error_code) override {
    if (bye_on_result) REQUIRE(layer->send_bye(d.key));
  }
  void on_dialog_ended(const sip::Dialog&, std::error_code) override {}
  void on_invite_result(const sip::Dialog&, const sip::Message* r, std::error_code) override {
    invite_results.push_back(r ? r->status : 0);
  }
  void on_request_result(std::uint64_t id, const sip::Message* r, std::error_code) override {
    request_results.emplace_back(id, r ? r->status : 0);
  }
};

sip::Invite test_invite() {
  sip::Invite inv;
  inv.request_uri = "sip:rcc-gw@gw.example.com:5060;transport=tcp";
  inv.from = "<sip:alice@example.com>";
  inv.to = "<sip:rcc-gw@gw.example.com>";
  inv.body = "<RequestSystemStatus/>";
  inv.content_type = "application/csta+xml";
  return inv;
}

}  // namespace

TEST_CASE("UAC dialog: INVITE, 2xx, ACK with the route set reversed, then the peer's INFO",
          "[sip][dialog][uac]") {
  sip::test::Recorder out;
  Uac app;
  sip::DialogLayer layer(out, app);
  app.layer = &layer;
  auto key = layer.send_invite(test_invite());
  REQUIRE(key);
  REQUIRE(out.sent.size() == 1);
  const sip::Message invite = out.last();
  CHECK(invite.method == "INVITE");
  CHECK(invite.header("Contact") != nullptr);
  CHECK(invite.to()->tag().empty());
  CHECK_FALSE(invite.from()->tag().empty());
  auto ok = sip::make_response(invite, 200, "gw7");
  ok.add("Contact", "<sip:rcc-gw@10.0.0.5:5060;transport=tcp>");
  ok.add("Record-Route", "<sip:p1.example.com;lr>, <sip:p2.example.com;lr>");
  layer.receive(1, ok);
  REQUIRE(app.invite_results == std::vector<int>{200});
  REQUIRE(out.sent.size() == 2);
  const sip::Message& ack = out.last();
  CHECK(ack.method == "ACK");
  CHECK(ack.request_uri == "sip:rcc-gw@10.0.0.5:5060;transport=tcp");
  CHECK(*ack.header("CSeq") == std::to_string(invite.cseq()->number) + " ACK");
  CHECK(ack.to()->tag() == "gw7");
  const auto routes = ack.values("Route");
  REQUIRE(routes.size() == 2);
  CHECK(routes[0].find("p2.example.com") != std::string::npos);
  const sip::Dialog* d = layer.find(*key);
  REQUIRE(d != nullptr);
  CHECK(d->confirmed);
  // The gateway's event INFO: From its tag, To ours.
  sip::Message info;
  info.method = "INFO";
  info.request_uri = "sip:alice@127.0.0.1";
  info.add("Via", "SIP/2.0/TCP 10.0.0.5:5060;branch=z9hG4bKev1");
  info.add("From", "<sip:rcc-gw@gw.example.com>;tag=gw7");
  info.add("To", "<sip:alice@example.com>;tag=" + std::string(invite.from()->tag()));
  info.add("Call-ID", std::string(invite.call_id()));
  info.add("CSeq", "1 INFO");
  info.add("Content-Length", "0");
  layer.receive(1, info);
  REQUIRE(app.infos.size() == 1);
  CHECK(out.last().status == 200);
  // Our INFO in the dialog goes to the target with the next CSeq.
  REQUIRE(layer.send_info(*key, "<GetCSTAFeatures/>", "application/csta+xml"));
  CHECK(out.last().method == "INFO");
  CHECK(out.last().cseq()->number == invite.cseq()->number + 1);
}

TEST_CASE("UAC dialog: a refused INVITE removes the dialog; OPTIONS outside any dialog",
          "[sip][dialog][uac]") {
  sip::test::Recorder out;
  Uac app;
  sip::DialogLayer layer(out, app);
  app.layer = &layer;
  auto key = layer.send_invite(test_invite());
  REQUIRE(key);
  layer.receive(1, sip::make_response(out.last(), 403, "gw8"));
  CHECK(app.invite_results == std::vector<int>{403});
  CHECK(layer.find(*key) == nullptr);
  CHECK(layer.dialog_count() == 0);
  sip::Message options;
  options.method = "OPTIONS";
  options.request_uri = "sip:rcc-gw@gw.example.com:5060;transport=tcp";
  options.add("From", "<sip:probe@example.com>;tag=p1");
  options.add("To", "<sip:rcc-gw@gw.example.com>");
  auto id = layer.send_request(options);
  REQUIRE(id);
  layer.receive(1, sip::make_response(out.last(), 200));
  REQUIRE(app.request_results.size() == 1);
  CHECK(app.request_results[0] == std::make_pair(*id, 200));
}

TEST_CASE("UAC dialog: the handler may end the dialog from an INFO result", "[sip][dialog][uac]") {
  sip::test::Recorder out;
  Uac app;
  sip::DialogLayer layer(out, app);
  app.layer = &layer;
  auto key = layer.send_invite(test_invite());
  REQUIRE(key);
  auto ok = sip::make_response(out.last(), 200, "gw9");
  ok.add("Contact", "<sip:rcc-gw@10.0.0.5:5060;transport=tcp>");
  layer.receive(1, ok);
  REQUIRE(layer.send_info(*key, "<MonitorStop/>", "application/csta+xml"));
  REQUIRE(layer.send_info(*key, "<SnapshotDevice/>", "application/csta+xml"));
  app.bye_on_result = true;
  const sip::Message info = out.last();
  layer.receive(1, sip::make_response(info, 200));
  CHECK(out.last().method == "BYE");
  CHECK(layer.find(*key) == nullptr);
}
