#include "uacsta/client.h"

#include "csta/services.h"
#include "sip/transport_stack.h"
#include "util/text.h"

#include <vector>

namespace rcc::uacsta {
namespace {

constexpr const char* kCsta = "application/csta+xml";

/// The leading digits of a header value ("30;duration=5", "1800;refresher=uac"); 0 if none.
std::uint32_t leading_seconds(const std::string* value) {
  if (!value) return 0;
  std::uint32_t n = 0;
  for (char c : *value) {
    if (c < '0' || c > '9' || n > 100'000'000) break;
    n = n * 10 + std::uint32_t(c - '0');
  }
  return n;
}

sip::TimerConfig timers_for(std::chrono::milliseconds timeout) {
  sip::TimerConfig t;
  t.t1 = std::max(std::chrono::milliseconds(1), timeout / 64);  // Timers B and F = 64*T1
  return t;
}

}  // namespace

Client::Client(boost::asio::io_context& io, ClientOptions options)
    : io_(io), options_(std::move(options)) {
  sip::DialogConfig dc;
  dc.server = "rcc-uacsta-client";
  sip::ConnectionOptions co;
  co.handshake_timeout =
      std::chrono::seconds(std::max<long>(1, long(options_.timeout.count() / 1000)));
  sip::DialogHandler& handler = *this;
  stack_ = std::make_unique<sip::Stack>(io_, handler, dc, co, timers_for(options_.timeout));
}

Client::~Client() = default;

std::string Client::gateway_uri() const {
  return "sip:" + options_.rcc_uri_user + "@" + options_.gateway;
}

Result<void> Client::start() {
  auto port = stack_->listen_tcp(options_.local_host, 0);
  if (!port) return port.error();
  const bool v6 = options_.local_host.find(':') != std::string::npos;
  const std::string me =
      (v6 ? "[" + options_.local_host + "]" : options_.local_host) + ":" + std::to_string(*port);
  sip::Stack::Identity id;
  id.tcp_sent_by = me;
  id.tcp_contact = "sip:rcc-uacsta@" + me + ";transport=tcp";
  stack_->set_identity(id);
  return {};
}

std::size_t Client::transactions() const {
  return stack_->dialogs().transaction_count();
}

void Client::stop() {
  stack_->stop();
}

Reply Client::reply_of(const sip::Message* response, std::error_code error,
                       Clock::time_point sent) {
  Reply r;
  r.ms = std::chrono::duration<double, std::milli>(Clock::now() - sent).count();
  if (!response) {
    r.error = error ? error.message() : "no answer";
    return r;
  }
  r.status = response->status;
  r.reason = response->reason;
  if (const auto* w = response->header("Warning")) r.warning = *w;
  r.retry_after = leading_seconds(response->header("Retry-After"));
  r.session_expires = leading_seconds(response->header("Session-Expires"));
  r.body = response->body;
  const auto* type = response->header("Content-Type");
  if (!r.body.empty() && type && util::istarts_with(*type, kCsta)) {
    auto m = csta::decode(r.body);
    if (m)
      r.csta = std::move(*m);
    else
      r.error = "CSTA body: " + m.error().message();
  }
  return r;
}

void Client::options(std::function<void(Reply)> done) {
  sip::Message m;
  m.method = "OPTIONS";
  m.request_uri = gateway_uri() + ";transport=tcp";
  m.add("From", "<sip:rcc-uacsta@" + options_.local_host +
                    ">;tag=" + std::to_string(Clock::now().time_since_epoch().count()));
  m.add("To", "<" + gateway_uri() + ">");
  m.add("Accept", kCsta);
  const auto sent = Clock::now();
  auto id = stack_->dialogs().send_request(std::move(m));
  if (!id) {
    Reply r;
    r.error = id.error().message();
    done(std::move(r));
    return;
  }
  outside_[*id] = {std::move(done), sent, 0};
}

SessionId Client::sign_in(const std::string& user_uri, const std::string& line,
                          std::function<void(SessionId, Reply)> done) {
  csta::RequestSystemStatus rss;
  if (!line.empty()) rss.line = line;
  sip::Invite inv;
  inv.request_uri = gateway_uri() + ";transport=tcp";
  inv.from = "<" + user_uri + ">";
  inv.to = "<" + gateway_uri() + ">";
  inv.body = csta::encode(csta::Message{csta::Namespace::ed3, rss});
  inv.content_type = kCsta;
  inv.headers = {{"Supported", "timer"}, {"Content-Disposition", "signal;handling=required"}};
  const auto sent = Clock::now();
  auto key = stack_->dialogs().send_invite(inv);
  if (!key) {
    Reply r;
    r.error = key.error().message();
    done(0, std::move(r));
    return 0;
  }
  signing_in_[*key] = std::move(done);
  invite_sent_[*key] = sent;
  return *key;
}

void Client::request(SessionId session, const csta::Body& body, std::function<void(Reply)> done) {
  const auto sent = Clock::now();
  auto id = stack_->dialogs().send_info(
      session, csta::encode(csta::Message{csta::Namespace::ed3, body}), kCsta);
  if (!id) {
    Reply r;
    r.error = id.error().message();
    done(std::move(r));
    return;
  }
  infos_[*id] = {std::move(done), sent, session};
}

void Client::refresh(SessionId session, std::uint32_t interval, std::function<void(Reply)> done) {
  const auto sent = Clock::now();
  auto id = stack_->dialogs().send_update(session, interval);
  if (!id) {
    Reply r;
    r.error = id.error().message();
    done(std::move(r));
    return;
  }
  outside_[*id] = {std::move(done), sent, session};
}

void Client::sign_out(SessionId session) {
  (void)stack_->dialogs().send_bye(session);
}

void Client::on_invite(const sip::Dialog&, sip::TxnId txn, const sip::Message&) {
  // A re-INVITE from the gateway (reinvite failover): accepted as it is.
  sip::Answer a;
  (void)stack_->dialogs().answer(txn, a);
}

void Client::on_info(const sip::Dialog& d, sip::TxnId txn, const sip::Message& info) {
  (void)stack_->dialogs().answer(txn, sip::Answer{});
  if (info.body.empty()) return;
  auto m = csta::decode(info.body);
  if (m && on_event) on_event(d.key, *m);
}

void Client::on_info_result(const sip::Dialog&, std::uint64_t request, const sip::Message* response,
                            std::error_code error) {
  const auto it = infos_.find(request);
  if (it == infos_.end()) return;
  Waiting w = std::move(it->second);
  infos_.erase(it);
  w.done(reply_of(response, error, w.sent));
}

void Client::on_request_result(std::uint64_t request, const sip::Message* response,
                               std::error_code error) {
  const auto it = outside_.find(request);
  if (it == outside_.end()) return;
  Waiting w = std::move(it->second);
  outside_.erase(it);
  w.done(reply_of(response, error, w.sent));
}

void Client::on_invite_result(const sip::Dialog& d, const sip::Message* response,
                              std::error_code error) {
  const auto it = signing_in_.find(d.key);
  if (it == signing_in_.end()) return;
  auto done = std::move(it->second);
  signing_in_.erase(it);
  const auto sent = invite_sent_[d.key];
  invite_sent_.erase(d.key);
  done(d.key, reply_of(response, error, sent));
}

void Client::on_dialog_ended(const sip::Dialog& d, std::error_code why) {
  // INFOs and UPDATEs still waiting in this dialog get no answer from the layer any more.
  std::vector<Waiting> orphans;
  for (auto* waiting : {&infos_, &outside_})
    for (auto it = waiting->begin(); it != waiting->end();) {
      if (it->second.session == d.key) {
        orphans.push_back(std::move(it->second));
        it = waiting->erase(it);
      } else {
        ++it;
      }
    }
  for (auto& w : orphans)
    w.done(
        reply_of(nullptr, why ? why : std::make_error_code(std::errc::operation_canceled), w.sent));
  if (on_ended && d.confirmed) on_ended(d.key, why);
}

}  // namespace rcc::uacsta
