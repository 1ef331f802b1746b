#include "sip/dialog.h"

#include <algorithm>

#include "sip/error.h"
#include "sip/headers.h"
#include "sip/parser.h"
#include "sip/response.h"
#include "sip/uri.h"
#include "util/log.h"

namespace rcc::sip {
namespace {

constexpr TimerOwner kSessionTimerBit = TimerOwner(1) << 63;

// A name-addr without its tag parameter, as a dialog remembers the peer's and its own URI.
std::string without_tag(const NameAddr& a) {
  NameAddr copy = a;
  copy.params.erase(std::remove_if(copy.params.begin(), copy.params.end(),
                                   [](const Param& p) { return iequals(p.name, "tag"); }),
                    copy.params.end());
  return copy.to_string();
}

bool supports_timer(const Message& m) {
  for (const auto& v : m.values("Supported"))
    if (iequals(v, "timer")) return true;
  for (const auto& v : m.values("Require"))
    if (iequals(v, "timer")) return true;
  return false;
}

}  // namespace

DialogLayer::DialogLayer(TransactionSink& sink, DialogHandler& handler, DialogConfig config,
                         TimerConfig timers)
    : sink_(sink), handler_(handler), config_(std::move(config)), txns_(sink, *this, timers) {}

std::string DialogLayer::contact_for(Flow flow) {
  std::string c = sink_.local_contact(flow);
  return c.empty() ? config_.contact : c;
}

const Dialog* DialogLayer::find(DialogKey key) const {
  const auto it = dialogs_.find(key);
  return it == dialogs_.end() ? nullptr : &it->second;
}

Dialog* DialogLayer::match(const Message& request) {
  const auto to = request.to();
  const auto from = request.from();
  if (!to || !from) return nullptr;
  const auto it = index_.find(index_key(request.call_id(), to->tag(), from->tag()));
  if (it == index_.end()) return nullptr;
  const auto d = dialogs_.find(it->second);
  return d == dialogs_.end() ? nullptr : &d->second;
}

std::string DialogLayer::index_key(std::string_view call_id, std::string_view local_tag,
                                   std::string_view remote_tag) {
  std::string key;
  key.reserve(call_id.size() + local_tag.size() + remote_tag.size() + 2);
  key.append(call_id).append(1, '\0').append(local_tag).append(1, '\0').append(remote_tag);
  return key;
}

std::size_t DialogLayer::queued_infos(DialogKey key) const {
  const auto it = info_queue_.find(key);
  return it == info_queue_.end() ? 0 : it->second.size();
}

void DialogLayer::reply(TxnId txn, const Message& request, int status, std::vector<Header> extra,
                        const std::string& to_tag) {
  Message r = make_response(request, status, to_tag.empty() ? random_token(8) : to_tag);
  r.remove("Content-Length");
  for (auto& h : extra)
    r.headers.push_back(std::move(h));
  r.add("Server", config_.server);
  r.add("Content-Length", "0");
  (void)txns_.respond(txn, r);
}

// RFC 4028 §8: a Session-Expires below our Min-SE gets 422 with our Min-SE.
bool DialogLayer::session_check(TxnId txn, const Message& request) {
  const auto se = request.session_expires();
  if (se && se->seconds < config_.min_se) {
    reply(txn, request, 422, {{"Min-SE", std::to_string(config_.min_se)}});
    return false;
  }
  return true;
}

// RFC 4028 §9: the interval is the request's Session-Expires (or ours when it has none and the
// UAC supports timers); the refresher is the one the UAC chose, else the UAC (docs/protocol.md).
void DialogLayer::apply_session_timer(Dialog& d, const Message& request, Message& response) {
  const auto se = request.session_expires();
  const bool uac_timer = supports_timer(request);
  if (!se && !uac_timer) {
    d.session_interval = 0;
    return;
  }
  // RFC 4028 §9: the UAS may lower the interval the UAC asked for (not below Min-SE, which
  // session_check() enforced); ours is the most we grant.
  d.session_interval =
      se ? std::min(se->seconds, config_.session_expires) : config_.session_expires;
  const bool uas = se && se->refresher == "uas";
  d.we_refresh = uas || !uac_timer;  // a UAC without timer support cannot refresh (§9)
  response.add("Session-Expires",
               std::to_string(d.session_interval) + ";refresher=" + (d.we_refresh ? "uas" : "uac"));
  if (uac_timer) response.add("Require", "timer");
  arm_session_timer(d);
}

void DialogLayer::arm_session_timer(Dialog& d) {
  if (d.session_interval == 0) return;
  ++d.session_generation;
  drop_session_timer(d.key);  // one session timer per dialog: a refresh replaces it
  const TimerOwner owner = kSessionTimerBit | next_request_++;
  session_timers_[owner] = {d.key, d.session_generation};
  session_timer_of_[d.key] = owner;
  const std::uint32_t n = d.session_interval;
  // §10: the refresher refreshes at half the interval; the other side sends BYE shortly before
  // the session expires, at N - min(32, N/3) seconds.
  const std::uint32_t after = d.we_refresh ? n / 2 : n - std::min<std::uint32_t>(32, n / 3);
  sink_.start_timer(owner, Timer::session, std::chrono::seconds(after));
}

void DialogLayer::drop_session_timer(DialogKey key) {
  const auto it = session_timer_of_.find(key);
  if (it == session_timer_of_.end()) return;
  sink_.cancel_timers(it->second);
  session_timers_.erase(it->second);
  session_timer_of_.erase(it);
}

void DialogLayer::timer_fired(TimerOwner owner, Timer timer) {
  if (!(owner & kSessionTimerBit)) {
    txns_.timer_fired(owner, timer);
    return;
  }
  const auto it = session_timers_.find(owner);
  if (it == session_timers_.end()) return;
  const auto [key, generation] = it->second;
  session_timers_.erase(it);
  session_timer_of_.erase(key);
  const auto d = dialogs_.find(key);
  if (d == dialogs_.end() || d->second.session_generation != generation) return;
  if (d->second.we_refresh) {
    Message update = build_request(d->second, "UPDATE");
    update.add("Session-Expires", std::to_string(d->second.session_interval) + ";refresher=uas");
    update.add("Supported", config_.supported);
    update.add("Content-Length", "0");
    if (start_request(d->second, std::move(update), 0)) arm_session_timer(d->second);
    return;
  }
  (void)send_bye(key);  // ends the dialog; the handler hears session_expired below
}

void DialogLayer::on_request(TxnId txn, Flow flow, const Message& request) {
  if (request.method == "ACK") {
    if (Dialog* d = match(request)) d->confirmed = true;
    return;  // an ACK that matches nothing is dropped (§12.2.2)
  }
  if (auto ok = check_request_uri(request); !ok) {
    reply(txn, request, 416);
    return;
  }
  auto unsupported = unsupported_requirements(request, config_.supported);
  if (!unsupported.empty()) {
    std::string list;
    for (const auto& u : unsupported)
      list += (list.empty() ? "" : ", ") + u;
    reply(txn, request, 420, {{"Unsupported", list}});
    return;
  }
  const auto to = request.to();
  const bool in_dialog = to && !to->tag().empty();
  if (!in_dialog) {
    if (request.method == "OPTIONS") {
      reply(
          txn, request, 200,
          {{"Allow", config_.allow}, {"Accept", config_.accept}, {"Supported", config_.supported}});
    } else if (request.method == "INVITE") {
      if (dialogs_.size() >= config_.max_dialogs) {
        util::logger("sip")->warn("call-id={} refused: {} dialogs, the most allowed (503)",
                                  request.call_id(), dialogs_.size());
        reply(txn, request, 503, {{"Retry-After", std::to_string(config_.retry_after)}});
        return;
      }
      if (!session_check(txn, request)) return;
      const auto from = request.from();
      auto contacts = request.contacts();
      auto rr = request.record_routes();
      if (!from || !to || !contacts || contacts->size() != 1 || contacts->front().star || !rr) {
        reply(txn, request, 400, {{"Warning", "399 rcc \"INVITE needs one Contact\""}});
        return;
      }
      Dialog d;
      d.key = next_key_++;
      d.call_id = std::string(request.call_id());
      d.local_tag = random_token(12);
      d.remote_tag = std::string(from->tag());
      d.local_uri = without_tag(*to);
      d.remote_uri = without_tag(*from);
      d.remote_target = contacts->front().uri;
      for (const auto& r : *rr)
        d.route_set.push_back(r.to_string());
      d.flow = flow;
      d.remote_cseq = request.cseq()->number;
      const DialogKey key = d.key;
      index_[index_key(d.call_id, d.local_tag, d.remote_tag)] = key;
      dialogs_.emplace(key, std::move(d));
      pending_[txn] = {key, request};
      handler_.on_invite(dialogs_.at(key), txn, request);
    } else if (request.method == "INFO" || request.method == "BYE" || request.method == "UPDATE" ||
               request.method == "CANCEL") {
      // INFO, BYE and UPDATE only exist inside a dialog. The gateway answers every INVITE at
      // once, so a CANCEL always comes too late (§9.2: 481 when nothing matches).
      reply(txn, request, 481);
    } else {
      reply(txn, request, 405, {{"Allow", config_.allow}});
    }
    return;
  }
  Dialog* d = match(request);
  if (!d) {
    reply(txn, request, 481);  // §12.2.2: e.g. after a restart; the client rebuilds the dialog
    return;
  }
  const auto cseq = request.cseq()->number;
  if (cseq <= d->remote_cseq) {
    reply(txn, request, 500, {{"Retry-After", "0"}}, d->local_tag);  // §12.2.2
    return;
  }
  d->remote_cseq = cseq;
  d->flow = flow;  // the peer's latest connection: a dialog outlives the one it began on
  if (auto contacts = request.contacts(); contacts && contacts->size() == 1) {
    if (request.method == "INVITE" || request.method == "UPDATE")
      d->remote_target = contacts->front().uri;  // target refresh (§12.2.2)
  }
  if (request.method == "BYE") {
    reply(txn, request, 200, {}, d->local_tag);
    end_dialog(d->key, {});
  } else if (request.method == "INFO") {
    pending_[txn] = {d->key, request};
    handler_.on_info(*d, txn, request);
  } else if (request.method == "INVITE") {
    if (!session_check(txn, request)) return;
    pending_[txn] = {d->key, request};
    handler_.on_invite(*d, txn, request);
  } else if (request.method == "UPDATE") {
    if (!session_check(txn, request)) return;
    Message r = make_response(request, 200, d->local_tag);
    r.remove("Content-Length");
    r.add("Contact", "<" + contact_for(flow) + ">");
    apply_session_timer(*d, request, r);
    r.add("Server", config_.server);
    r.add("Content-Length", "0");
    ++refreshes_;
    (void)txns_.respond(txn, r);
  } else if (request.method == "OPTIONS") {
    reply(txn, request, 200, {{"Allow", config_.allow}, {"Accept", config_.accept}}, d->local_tag);
  } else {
    reply(txn, request, 405, {{"Allow", config_.allow}}, d->local_tag);
  }
}

Result<void> DialogLayer::answer(TxnId txn, const Answer& a) {
  const auto p = pending_.find(txn);
  if (p == pending_.end()) return Error(Errc::unknown_transaction, "nothing to answer");
  const Pending pending = std::move(p->second);
  pending_.erase(p);
  const auto di = dialogs_.find(pending.dialog);
  if (di == dialogs_.end()) return Error(Errc::unknown_dialog, "the dialog has ended");
  Dialog& d = di->second;
  const Message& req = pending.request;
  Message r = make_response(req, a.status, d.local_tag);
  r.remove("Content-Length");
  const bool invite = req.method == "INVITE";
  if (invite && a.status >= 200 && a.status < 300) {
    for (const auto& h : req.headers)
      if (h.name == "Record-Route") r.headers.push_back(h);  // §12.1.1: copied, in order
    r.add("Contact", "<" + contact_for(d.flow) + ">");
    r.add("Allow", config_.allow);
    r.add("Supported", config_.supported);
    apply_session_timer(d, req, r);
    if (d.confirmed) ++refreshes_;  // a re-INVITE: the initial INVITE's dialog awaits its ACK
  }
  for (const auto& h : a.headers)
    r.headers.push_back(h);
  r.add("Server", config_.server);
  if (!a.body.empty()) {
    r.add("Content-Disposition", "signal;handling=required");
    r.set_body(a.body, a.content_type);
  } else {
    r.add("Content-Length", "0");
  }
  auto sent = txns_.respond(txn, r);
  if (invite && a.status >= 300 && !d.confirmed && d.session_generation == 0 && d.local_cseq == 0 &&
      req.to() && req.to()->tag().empty())
    end_dialog(d.key, {});  // an initial INVITE refused: no dialog (§12.1)
  return sent;
}

Message DialogLayer::build_request(Dialog& d, std::string_view method) {
  Message m;
  m.method = std::string(method);
  // §12.2.1.1: with a loose router first (";lr") the Request-URI is the remote target and the
  // route set goes in Route; a strict router takes the Request-URI itself and the remote target
  // becomes the last Route.
  std::vector<std::string> routes = d.route_set;
  m.request_uri = d.remote_target;
  if (!routes.empty()) {
    auto first = parse_name_addr(routes.front());
    auto uri = first ? parse_sip_uri(first->uri) : Result<SipUri>(first.error());
    if (first && !first->uri.empty() && !(uri && uri->has_param("lr"))) {
      m.request_uri = first->uri;
      routes.erase(routes.begin());
      routes.push_back("<" + d.remote_target + ">");
    }
  }
  // The Via is added by start_request(), once the route (and so the transport) is known.
  for (const auto& r : routes)
    m.add("Route", r);
  m.add("Max-Forwards", "70");
  m.add("From", d.local_uri + ";tag=" + d.local_tag);
  m.add("To", d.remote_tag.empty() ? d.remote_uri : d.remote_uri + ";tag=" + d.remote_tag);
  m.add("Call-ID", d.call_id);
  m.add("CSeq", std::to_string(++d.local_cseq) + " " + m.method);
  return m;
}

Result<TxnId> DialogLayer::start_request(Dialog& d, Message request, std::uint64_t id) {
  const std::string method = request.method;
  const auto route = sink_.route(request, d.flow);
  const std::string& transport =
      route.via_transport.empty() ? config_.via_transport : route.via_transport;
  const std::string& sent_by = route.via_sent_by.empty() ? config_.via_sent_by : route.via_sent_by;
  request.headers.insert(
      request.headers.begin(),
      Header{"Via", "SIP/2.0/" + transport + " " + sent_by + ";branch=z9hG4bK" + random_token(16)});
  if (method == "INVITE" && !request.header("Contact"))
    request.add("Contact", "<" + contact_for(route.flow) + ">");
  auto txn = txns_.request(route.flow, request);
  if (!txn) return txn.error();
  outgoing_[*txn] = {d.key, id, method, route.flow};
  if (d.flow == 0) d.flow = route.flow;
  return *txn;
}

Result<std::uint64_t> DialogLayer::send_info(DialogKey key, std::string body,
                                             std::string content_type,
                                             std::vector<Header> headers) {
  const auto it = dialogs_.find(key);
  if (it == dialogs_.end()) return Error(Errc::unknown_dialog, "no dialog " + std::to_string(key));
  auto& queue = info_queue_[key];
  if (queue.size() >= config_.max_queued_infos)
    return Error(Errc::queue_full, std::to_string(queue.size()) + " INFOs waiting");
  const std::uint64_t id = next_request_++;
  queue.push_back({id, std::move(body), std::move(content_type), std::move(headers)});
  pump_info(it->second);
  return id;
}

void DialogLayer::pump_info(Dialog& d) {
  auto& queue = info_queue_[d.key];
  if (info_busy_[d.key] || queue.empty()) return;
  Queued q = std::move(queue.front());
  queue.erase(queue.begin());
  Message info = build_request(d, "INFO");
  for (auto& h : q.headers)
    info.headers.push_back(std::move(h));
  info.add("Content-Disposition", "signal;handling=required");
  info.set_body(std::move(q.body), q.content_type);
  auto txn = start_request(d, std::move(info), q.id);
  if (!txn) {
    handler_.on_info_result(d, q.id, nullptr, txn.error().code());
    pump_info(d);
    return;
  }
  info_busy_[d.key] = true;
}

Result<std::uint64_t> DialogLayer::send_update(DialogKey key, std::uint32_t interval) {
  const auto it = dialogs_.find(key);
  if (it == dialogs_.end()) return Error(Errc::unknown_dialog, "no dialog " + std::to_string(key));
  Message update = build_request(it->second, "UPDATE");
  update.add("Session-Expires", std::to_string(interval) + ";refresher=uac");
  update.add("Supported", config_.supported);
  update.add("Content-Length", "0");
  const std::uint64_t id = next_request_++;
  auto txn = start_request(it->second, std::move(update), id);
  if (!txn) return txn.error();
  return id;
}

Result<void> DialogLayer::send_bye(DialogKey key) {
  const auto it = dialogs_.find(key);
  if (it == dialogs_.end()) return Error(Errc::unknown_dialog, "no dialog " + std::to_string(key));
  Message bye = build_request(it->second, "BYE");
  bye.add("Content-Length", "0");
  auto txn = start_request(it->second, std::move(bye), 0);
  end_dialog(key, make_error_code(Errc::session_expired));
  if (!txn) return txn.error();
  return {};
}

Result<DialogKey> DialogLayer::send_invite(const Invite& inv) {
  auto from = parse_name_addr(inv.from);
  auto to = parse_name_addr(inv.to);
  if (!from) return from.error();
  if (!to) return to.error();
  Dialog d;
  d.key = next_key_++;
  d.uac = true;
  d.call_id = random_token(20);
  d.local_tag = random_token(12);
  d.local_uri = "<" + from->uri + ">";
  d.remote_uri = "<" + to->uri + ">";
  d.remote_target = inv.request_uri;
  const DialogKey key = d.key;
  Dialog& placed = dialogs_.emplace(key, std::move(d)).first->second;
  Message invite = build_request(placed, "INVITE");
  for (const auto& h : inv.headers)
    invite.headers.push_back(h);
  if (inv.body.empty())
    invite.add("Content-Length", "0");
  else
    invite.set_body(inv.body, inv.content_type);
  auto txn = start_request(placed, std::move(invite), 0);
  if (!txn) {
    dialogs_.erase(key);
    return txn.error();
  }
  return key;
}

Result<std::uint64_t> DialogLayer::send_request(Message request) {
  const std::uint64_t id = next_request_++;
  if (!request.header("From")) return Error(Errc::bad_header_value, "a request needs From");
  if (!request.header("To")) return Error(Errc::bad_header_value, "a request needs To");
  if (!request.header("Call-ID")) request.add("Call-ID", random_token(20));
  if (!request.header("CSeq")) request.add("CSeq", "1 " + request.method);
  if (!request.header("Max-Forwards")) request.add("Max-Forwards", "70");
  if (!request.header("Content-Length") && request.body.empty()) request.add("Content-Length", "0");
  const auto route = sink_.route(request, 0);
  const std::string& transport =
      route.via_transport.empty() ? config_.via_transport : route.via_transport;
  const std::string& sent_by = route.via_sent_by.empty() ? config_.via_sent_by : route.via_sent_by;
  request.headers.insert(
      request.headers.begin(),
      Header{"Via", "SIP/2.0/" + transport + " " + sent_by + ";branch=z9hG4bK" + random_token(16)});
  auto txn = txns_.request(route.flow, request);
  if (!txn) return txn.error();
  outgoing_[*txn] = {0, id, request.method, route.flow};
  return id;
}

void DialogLayer::invite_answered(Dialog& d, const Outgoing& out, const Message& response) {
  if (response.status >= 300) {
    const Dialog copy = d;  // the handler may end the dialog itself
    handler_.on_invite_result(copy, &response, {});
    end_dialog(copy.key, make_error_code(Errc::unknown_dialog));
    return;
  }
  // §12.1.2: the remote tag, the target and the route set (Record-Route reversed) come from the
  // 2xx; then the ACK, end to end, with the INVITE's CSeq number (§13.2.2.4).
  const auto to = response.to();
  const auto contacts = response.contacts();
  d.remote_tag = to ? std::string(to->tag()) : std::string();
  if (contacts && contacts->size() == 1) d.remote_target = contacts->front().uri;
  d.route_set.clear();
  if (auto rr = response.record_routes())
    for (auto r = rr->rbegin(); r != rr->rend(); ++r)
      d.route_set.push_back(r->to_string());
  d.flow = out.flow;
  d.confirmed = true;
  index_[index_key(d.call_id, d.local_tag, d.remote_tag)] = d.key;
  Message ack = build_request(d, "ACK");
  --d.local_cseq;  // the ACK repeats the INVITE's number
  ack.remove("CSeq");
  ack.add("CSeq", std::to_string(d.local_cseq) + " ACK");
  ack.add("Content-Length", "0");
  const auto route = sink_.route(ack, d.flow);
  const std::string& transport =
      route.via_transport.empty() ? config_.via_transport : route.via_transport;
  const std::string& sent_by = route.via_sent_by.empty() ? config_.via_sent_by : route.via_sent_by;
  ack.headers.insert(ack.headers.begin(), Header{"Via", "SIP/2.0/" + transport + " " + sent_by +
                                                            ";branch=z9hG4bK" + random_token(16)});
  sink_.send(route.flow, ack);
  handler_.on_invite_result(d, &response, {});
}

void DialogLayer::on_response(TxnId txn, const Message& response) {
  if (response.status < 200) return;
  const auto it = outgoing_.find(txn);
  if (it == outgoing_.end()) return;
  const Outgoing out = it->second;
  outgoing_.erase(it);
  if (out.dialog == 0) {
    handler_.on_request_result(out.id, &response, {});
    return;
  }
  const auto d = dialogs_.find(out.dialog);
  if (d == dialogs_.end()) return;
  if (out.method == "INVITE" && d->second.uac && !d->second.confirmed) {
    invite_answered(d->second, out, response);
    return;
  }
  if (out.method == "INFO") {
    info_busy_[out.dialog] = false;
    handler_.on_info_result(d->second, out.id, &response, {});
    // The handler may have ended the dialog from its callback (a client signing out).
    const auto still = dialogs_.find(out.dialog);
    if (still == dialogs_.end()) return;
    // RFC 5057 §5.1: 481 and 408 to a request in a dialog end the dialog.
    if (response.status == 481 || response.status == 408) {
      end_dialog(out.dialog, make_error_code(response.status == 481 ? Errc::unknown_dialog
                                                                    : Errc::transaction_timeout));
      return;
    }
    pump_info(still->second);
  } else if (out.method == "UPDATE") {
    if (out.id != 0) handler_.on_request_result(out.id, &response, {});
    if ((response.status == 481 || response.status == 408) && dialogs_.count(out.dialog))
      end_dialog(out.dialog, make_error_code(Errc::unknown_dialog));
  }
}

void DialogLayer::on_failure(TxnId txn, std::error_code why) {
  pending_.erase(txn);  // Timer H: our non-2xx INVITE answer was never ACKed
  const auto it = outgoing_.find(txn);
  if (it == outgoing_.end()) return;
  const Outgoing out = it->second;
  outgoing_.erase(it);
  if (out.dialog == 0) {
    handler_.on_request_result(out.id, nullptr, why);
    return;
  }
  const auto d = dialogs_.find(out.dialog);
  if (d == dialogs_.end()) return;
  if (out.method == "INVITE" && d->second.uac && !d->second.confirmed) {
    handler_.on_invite_result(d->second, nullptr, why);
    end_dialog(out.dialog, why);
    return;
  }
  if (out.method == "INFO") {
    info_busy_[out.dialog] = false;
    handler_.on_info_result(d->second, out.id, nullptr, why);
  } else if (out.method == "UPDATE" && out.id != 0) {
    handler_.on_request_result(out.id, nullptr, why);
  }
  if ((out.method == "INFO" || out.method == "UPDATE") && dialogs_.count(out.dialog))
    end_dialog(out.dialog, why);
}

void DialogLayer::flow_closed(Flow flow) {
  // Dialogs stay: the peer's next request may come on a new connection, and ours open one
  // (TransactionSink::route). Only the transactions bound to this connection end.
  txns_.flow_closed(flow);
}

void DialogLayer::end_dialog(DialogKey key, std::error_code why) {
  const auto it = dialogs_.find(key);
  if (it == dialogs_.end()) return;
  const Dialog d = it->second;
  dialogs_.erase(it);
  index_.erase(index_key(d.call_id, d.local_tag, d.remote_tag));
  info_queue_.erase(key);
  info_busy_.erase(key);
  // Requests the handler had not answered yet get 481: their dialog is gone.
  std::vector<std::pair<TxnId, Message>> orphans;
  for (auto p = pending_.begin(); p != pending_.end();) {
    if (p->second.dialog == key) {
      orphans.emplace_back(p->first, std::move(p->second.request));
      p = pending_.erase(p);
    } else {
      ++p;
    }
  }
  for (const auto& [txn, request] : orphans)
    reply(txn, request, 481, {}, d.local_tag);
  drop_session_timer(key);
  handler_.on_dialog_ended(d, why);
}

}  // namespace rcc::sip
