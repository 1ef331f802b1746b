#include "sip/transaction.h"

#include <optional>
#include <vector>

#include "sip/error.h"

namespace rcc::sip {

namespace {
constexpr std::string_view kCookie = "z9hG4bK";

std::string client_key(std::string_view branch, std::string_view method) {
  return std::string(branch) + '|' + std::string(method);
}
}  // namespace

std::string server_key(const Message& request) {
  auto vias = request.vias();
  if (!vias || vias->empty()) return {};
  const Via& top = vias->front();
  const std::string method = request.method == "ACK" ? "INVITE" : request.method;
  const auto branch = top.branch();
  std::string sent_by = top.host;
  if (top.port) sent_by += ':' + std::to_string(*top.port);
  if (branch.substr(0, kCookie.size()) == kCookie && branch.size() > kCookie.size())
    return std::string(branch) + '|' + sent_by + '|' + method;
  // RFC 2543 peers (§17.2.3 last paragraph): Request-URI, tags, Call-ID, CSeq number, top Via.
  // The To tag is left out so that the ACK for a non-2xx matches its INVITE.
  auto cseq = request.cseq();
  const auto from = request.from();
  return "2543|" + request.request_uri + '|' + std::string(from ? from->tag() : "") + '|' +
         std::string(request.call_id()) + '|' + std::to_string(cseq ? cseq->number : 0) + '|' +
         top.to_string() + '|' + method;
}

struct TransactionLayer::Txn {
  enum class Kind { server_invite, server_non_invite, client_non_invite, client_invite } kind;
  bool client() const { return kind == Kind::client_non_invite || kind == Kind::client_invite; }
  enum class State { trying, proceeding, completed } state = State::trying;
  Flow flow = 0;
  std::string key;
  Message request;
  std::optional<Message> last_response;
};

TransactionLayer::TransactionLayer(TransactionSink& sink, TransactionUser& user, TimerConfig timers)
    : sink_(sink), user_(user), timers_(timers) {}

TransactionLayer::~TransactionLayer() = default;

TxnId TransactionLayer::add(std::unique_ptr<Txn> t) {
  const TxnId id = next_id_++;
  if (t->client()) {
    client_keys_[t->key] = id;
  } else {
    server_keys_[t->key] = id;
  }
  txns_.emplace(id, std::move(t));
  return id;
}

void TransactionLayer::end(TxnId id) {
  const auto it = txns_.find(id);
  if (it == txns_.end()) return;
  auto& keys = it->second->client() ? client_keys_ : server_keys_;
  const auto k = keys.find(it->second->key);
  if (k != keys.end() && k->second == id) keys.erase(k);
  txns_.erase(it);
  sink_.cancel_timers(id);
}

void TransactionLayer::receive(Flow flow, const Message& m) {
  if (!m.is_request()) {
    auto vias = m.vias();
    auto cseq = m.cseq();
    if (!vias || !cseq) return;
    const auto k = client_keys_.find(client_key(vias->front().branch(), cseq->method));
    if (k == client_keys_.end()) return;  // stray response: dropped (§17.1.3)
    const TxnId id = k->second;
    Txn& t = *txns_.at(id);
    if (m.status < 200) {
      t.state = Txn::State::proceeding;
      user_.on_response(id, m);
      return;
    }
    if (t.kind == Txn::Kind::client_invite && m.status >= 300) {
      // §17.1.1.3: the ACK for a non-2xx goes in the transaction, with the INVITE's Via,
      // Request-URI, From, Call-ID, CSeq number and Route, and the response's To (its tag).
      Message ack;
      ack.method = "ACK";
      ack.request_uri = t.request.request_uri;
      for (const auto& h : t.request.headers)
        if (h.name == "Via" || h.name == "From" || h.name == "Call-ID" || h.name == "Route" ||
            h.name == "Max-Forwards")
          ack.headers.push_back(h);
      if (const auto* to = m.header("To")) ack.add("To", *to);
      ack.add("CSeq", std::to_string(cseq->number) + " ACK");
      ack.add("Content-Length", "0");
      sink_.send(t.flow, ack);
    }
    // Timers K and D are zero on a reliable transport: the transaction ends with its final
    // response.
    end(id);
    user_.on_response(id, m);
    return;
  }
  const std::string key = server_key(m);
  if (key.empty()) return;
  const auto k = server_keys_.find(key);
  if (k != server_keys_.end()) {
    Txn& t = *txns_.at(k->second);
    if (m.method == "ACK") {
      // ACK for a non-2xx final response (§17.2.1): Confirmed, and Timer I is zero.
      if (t.kind == Txn::Kind::server_invite && t.state == Txn::State::completed) end(k->second);
      return;
    }
    // A retransmission: answer it with the latest response, if any (§17.2.1, §17.2.2).
    if (t.last_response) sink_.send(t.flow, *t.last_response);
    return;
  }
  if (m.method == "ACK") {
    user_.on_request(0, flow, m);  // ACK for a 2xx: end to end, for the dialog
    return;
  }
  auto t = std::make_unique<Txn>();
  t->kind = m.method == "INVITE" ? Txn::Kind::server_invite : Txn::Kind::server_non_invite;
  t->state = t->kind == Txn::Kind::server_invite ? Txn::State::proceeding : Txn::State::trying;
  t->flow = flow;
  t->key = key;
  t->request = m;
  const bool invite = t->kind == Txn::Kind::server_invite;
  const TxnId id = add(std::move(t));
  if (invite) {
    // §17.2.1: a 100 Trying at once stops the client retransmitting and costs nothing here.
    Message trying;
    trying.status = 100;
    trying.reason = "Trying";
    for (const auto& h : m.headers)
      if (h.name == "Via" || h.name == "From" || h.name == "To" || h.name == "Call-ID" ||
          h.name == "CSeq")
        trying.headers.push_back(h);
    trying.add("Content-Length", "0");
    txns_.at(id)->last_response = trying;
    sink_.send(flow, trying);
  }
  user_.on_request(id, flow, m);
}

Result<void> TransactionLayer::respond(TxnId id, const Message& response) {
  const auto it = txns_.find(id);
  if (it == txns_.end() || it->second->client() || it->second->state == Txn::State::completed)
    return Error(Errc::unknown_transaction, "no server transaction " + std::to_string(id));
  Txn& t = *it->second;
  sink_.send(t.flow, response);
  if (response.status < 200) {
    if (t.kind == Txn::Kind::server_non_invite) t.state = Txn::State::proceeding;
    t.last_response = response;
    return {};
  }
  if (t.kind == Txn::Kind::server_invite && response.status >= 300) {
    t.state = Txn::State::completed;
    t.last_response = response;
    sink_.start_timer(id, Timer::H, timers_.timer_h());
    return {};
  }
  // 2xx to INVITE: the transaction ends and the TU retransmits if it must (§17.2.1); a final
  // response to a non-INVITE: Timer J is zero on a reliable transport.
  end(id);
  return {};
}

Result<TxnId> TransactionLayer::request(Flow flow, const Message& request) {
  auto vias = request.vias();
  if (!vias) return vias.error();
  const auto branch = vias->front().branch();
  if (branch.substr(0, kCookie.size()) != kCookie || branch.size() == kCookie.size())
    return Error(Errc::bad_header_value, "client request without an RFC 3261 branch");
  if (request.method == "ACK")
    return Error(Errc::bad_start_line, "an ACK is not a transaction (§17.1.1.3, §13.2.2.4)");
  const bool invite = request.method == "INVITE";
  auto t = std::make_unique<Txn>();
  t->kind = invite ? Txn::Kind::client_invite : Txn::Kind::client_non_invite;
  t->flow = flow;
  t->key = client_key(branch, request.method);
  if (client_keys_.count(t->key))
    return Error(Errc::bad_header_value, "branch already in use by a client transaction");
  t->request = request;
  const TxnId id = add(std::move(t));
  sink_.send(flow, request);
  if (invite)
    sink_.start_timer(id, Timer::B, timers_.timer_f());  // Timer B = 64*T1 too (§17.1.1.2)
  else
    sink_.start_timer(id, Timer::F, timers_.timer_f());
  return id;
}

void TransactionLayer::timer_fired(TimerOwner owner, Timer timer) {
  const auto it = txns_.find(owner);
  if (it == txns_.end()) return;  // the transaction ended before its timer
  const Txn& t = *it->second;
  if ((timer == Timer::F && t.kind == Txn::Kind::client_non_invite) ||
      (timer == Timer::B && t.kind == Txn::Kind::client_invite)) {
    end(owner);
    user_.on_failure(owner, make_error_code(Errc::transaction_timeout));
  } else if (timer == Timer::H && t.kind == Txn::Kind::server_invite &&
             t.state == Txn::State::completed) {
    end(owner);
    user_.on_failure(owner, make_error_code(Errc::transaction_timeout));
  }
}

void TransactionLayer::flow_closed(Flow flow) {
  std::vector<std::pair<TxnId, bool>> gone;
  for (const auto& [id, t] : txns_)
    if (t->flow == flow) gone.emplace_back(id, t->client());
  for (const auto& [id, client] : gone) {
    end(id);
    if (client) user_.on_failure(id, make_error_code(Errc::transport_closed));
  }
}

}  // namespace rcc::sip
