#include "rcc/gateway.h"

#include <algorithm>
#include <ctime>

#include "csta/walk.h"
#include "rcc/user_lookup.h"
#include "sip/headers.h"
#include "util/log.h"
#include "util/text.h"

namespace rcc::gateway {
namespace {

constexpr const char* kCstaType = "application/csta+xml";

auto log() {
  return util::logger("gateway");
}

std::string xml(const csta::Message& m) {
  return csta::encode(m);
}

/// A Warning header value (RFC 3261 §20.43) for `text`, which may hold what the peer sent:
/// control characters become spaces, quotes are escaped, bytes past ASCII become '?' (they may not
/// be UTF-8), and it stops at 200 characters, so that no input can break the header.
std::string warning(std::string_view text) {
  std::string out = "399 rcc \"";
  for (const unsigned char c : text.substr(0, 200)) {
    if (c < 0x20 || c == 0x7f) {
      out += ' ';
    } else if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else {
      out += c >= 0x80 ? '?' : static_cast<char>(c);
    }
  }
  return out + "\"";
}

bool is_csta(const sip::Message& m) {
  const auto t = m.content_type();
  return t && t->is("application", "csta+xml");
}

/// "tel:4711;phone-context=dialstring" -> "4711"; "tel:+61 2 6263" -> "+612 6263" digits kept.
std::string number_of(std::string_view device) {
  if (util::istarts_with(device, "tel:")) device.remove_prefix(4);
  if (util::istarts_with(device, "sip:")) {
    device.remove_prefix(4);
    device = device.substr(0, device.find('@'));
  }
  device = device.substr(0, device.find(';'));
  std::string out;
  for (char c : device)
    if (c != ' ' && c != '-' && c != '.' && c != '(' && c != ')') out += c;
  return out;
}

/// The services a client may ask for: one row per CSTA request. `local` ones the gateway answers
/// itself; `node` ones go to the CTI node with their identifiers mapped. Anything else a client
/// sends (responses, events, application-session messages) is refused: a client must not be
/// able to stop the gateway's CTI session or fake events.
enum class Handling { local, monitor_start, monitor_stop, node };
struct ServiceRow {
  std::string_view element;  ///< the request's root element
  Handling handling;
  std::string_view group;    ///< its GetCSTAFeaturesResponse group, ECMA-269 style
  std::string_view feature;  ///< and flag
};
constexpr ServiceRow kServices[] = {
    {"RequestSystemStatus", Handling::local, "systemServ", "requestSystemStatus"},
    {"GetCSTAFeatures", Handling::local, "capExchangeServ", "getCSTAFeatures"},
    {"MonitorStart", Handling::monitor_start, "monitoringServ", "monitorStart"},
    {"MonitorStop", Handling::monitor_stop, "monitoringServ", "monitorStop"},
    {"SnapshotDevice", Handling::node, "snapshotServ", "snapshotDevice"},
    {"MakeCall", Handling::node, "callControlServ", "makeCall"},
    {"AnswerCall", Handling::node, "callControlServ", "answerCall"},
    {"ClearConnection", Handling::node, "callControlServ", "clearConnection"},
    {"HoldCall", Handling::node, "callControlServ", "holdCall"},
    {"RetrieveCall", Handling::node, "callControlServ", "retrieveCall"},
    {"ConsultationCall", Handling::node, "callControlServ", "consultationCall"},
    {"TransferCall", Handling::node, "callControlServ", "transferCall"},
    {"SingleStepTransferCall", Handling::node, "callControlServ", "singleStepTransfer"},
    {"DeflectCall", Handling::node, "callControlServ", "deflectCall"},
    {"ConferenceCall", Handling::node, "callControlServ", "conferenceCall"},
    {"AlternateCall", Handling::node, "callControlServ", "alternateCall"},
    {"ReconnectCall", Handling::node, "callControlServ", "reconnectCall"},
    {"GenerateDigits", Handling::node, "callAssociatedServ", "generateDigits"},
    {"SetForwarding", Handling::node, "logicalServ", "setForwarding"},
    {"GetForwarding", Handling::node, "logicalServ", "getForwarding"},
    {"SetDoNotDisturb", Handling::node, "logicalServ", "setDoNotDisturb"},
    {"GetDoNotDisturb", Handling::node, "logicalServ", "getDoNotDisturb"},
};

const ServiceRow* service(const csta::Body& body) {
  const std::string_view name = csta::element_name(body);
  for (const auto& row : kServices)
    if (row.element == name) return &row;
  return nullptr;
}

/// GetCSTAFeaturesResponse: the table above, grouped.
csta::GetCSTAFeaturesResponse features() {
  csta::GetCSTAFeaturesResponse r;
  for (const auto& row : kServices) {
    if (r.supported_services.empty() || r.supported_services.back().name != row.group) {
      auto same = std::find_if(r.supported_services.begin(), r.supported_services.end(),
                               [&](const auto& g) { return g.name == row.group; });
      if (same == r.supported_services.end()) {
        r.supported_services.push_back({std::string(row.group), {}});
        same = std::prev(r.supported_services.end());
      }
      same->features.push_back({std::string(row.feature), true});
      continue;
    }
    r.supported_services.back().features.push_back({std::string(row.feature), true});
  }
  return r;
}

}  // namespace

Gateway::Gateway(const directory::Directory& devices, directory::UserSource& users, CtiSide& cti,
                 Settings settings)
    : devices_(&devices), users_(&users), cti_(cti), settings_(std::move(settings)) {}

void Gateway::reconfigure(const directory::Directory& devices, directory::UserSource& users,
                          Settings settings) {
  devices_ = &devices;
  users_ = &users;
  if (!settings.now) settings.now = settings_.now;
  settings_ = std::move(settings);
}

Gateway::~Gateway() {
  *alive_ = false;
}

std::int64_t Gateway::now() const {
  return settings_.now ? settings_.now() : static_cast<std::int64_t>(std::time(nullptr));
}

std::string Gateway::retry_after() {
  // Spread the retries over [R, R + R/3] so that refused clients do not come back as one wave.
  const std::uint32_t r = settings_.retry_after;
  const std::uint32_t spread = r / 3 + 1;
  return std::to_string(r + (retry_spread_++ * 7919) % spread);
}

// --- sign-in ----------------------------------------------------------------------------------

void Gateway::on_invite(const sip::Dialog& d, sip::TxnId txn, const sip::Message& invite) {
  if (Session* s = sessions_.by_dialog(d.key); s && invite.body.empty())
    return refresh(*s, txn, nullptr);  // a bodiless re-INVITE: harmless, taken as a refresh
  if (!is_csta(invite)) {
    sip::Answer a;
    a.status = 415;
    a.headers.push_back({"Accept", kCstaType});
    log()->warn("call-id={} refused: INVITE body is not application/csta+xml (415)", d.call_id);
    (void)dialogs_->answer(txn, a);  // a refused initial INVITE ends `d`: log first
    return;
  }
  auto request = csta::decode(invite.body);
  if (!request || !std::holds_alternative<csta::RequestSystemStatus>(request->body)) {
    sip::Answer a;
    a.status = 400;
    const std::string why = request ? "the INVITE body is not RequestSystemStatus"
                                    : "CSTA body refused: " + request.error().message();
    a.headers.push_back({"Warning", warning(why)});
    log()->warn("call-id={} refused: {} (400)", util::printable(d.call_id), util::printable(why));
    (void)dialogs_->answer(txn, a);
    return;
  }
  if (Session* s = sessions_.by_dialog(d.key)) return refresh(*s, txn, &*request);
  sign_in(d, txn, invite, *request);
}

void Gateway::refuse_invite(sip::TxnId txn, Refusal why, const std::string& user,
                            const std::string& detail, const std::string& call_id) {
  ++counters_.refusals;
  ++counters_.refusals_by_reason[why];
  sip::Answer a;
  a.status = sip_status(why);
  if (a.status == 503) a.headers.push_back({"Retry-After", retry_after()});
  a.headers.push_back({"Warning", warning(std::string(to_string(why)) + ": " + detail)});
  log()->warn("sign-in refused reason={} user={} call-id={} status={} detail=\"{}\"",
              to_string(why), user.empty() ? "-" : util::printable(user), util::printable(call_id),
              a.status, util::printable(detail));
  (void)dialogs_->answer(txn, a);
}

void Gateway::sign_in(const sip::Dialog& d, sip::TxnId txn, const sip::Message& invite,
                      const csta::Message& request) {
  SignIn p;
  p.dialog = d.key;
  p.txn = txn;
  p.call_id = d.call_id;
  p.request = request;
  const auto from = invite.from();
  p.from_uri = from ? from->uri : std::string();
  // The endpoint, for replacing a dialog the same client rebuilt (see below).
  if (from)
    if (const auto* epid = sip::find_param(from->params, "epid")) p.endpoint = epid->value;
  if (p.endpoint.empty()) p.endpoint = d.remote_target;
  auto alive = alive_;
  lookup_user(*users_, p.from_uri, [this, alive, p](UserLookup found) {
    if (*alive) finish_sign_in(p, std::move(found));
  });
}

void Gateway::finish_sign_in(const SignIn& p, UserLookup match) {
  // The source may have answered late: the dialog may be gone (its INVITE answered already).
  if (!dialogs_->find(p.dialog)) return;
  const sip::TxnId txn = p.txn;
  const csta::Message& request = p.request;
  const std::string& call_id = p.call_id;
  if (match.error)
    return refuse_invite(txn, Refusal::directory_unavailable, p.from_uri, match.error->message(),
                         call_id);
  if (!match.user) {
    std::string tried;
    for (const auto& t : match.tried)
      tried += (tried.empty() ? "" : ", ") + t;
    return refuse_invite(txn, Refusal::unknown_user, p.from_uri, "no user with " + tried, call_id);
  }
  const directory::User& user = *match.user;
  using Problem = directory::User::Problem;
  if (user.problem == Problem::bad_entry)
    return refuse_invite(txn, Refusal::bad_directory_entry, user.id, user.problem_detail, call_id);
  if (user.problem == Problem::bad_line)
    return refuse_invite(txn, Refusal::bad_line_uri, user.id, user.problem_detail, call_id);
  if (!user.rcc_enabled)
    return refuse_invite(txn, Refusal::rcc_disabled, user.id,
                         user.problem_detail.empty() ? "RCC is not enabled" : user.problem_detail,
                         call_id);
  // The line comes from the body's lcs:line, never from the Request-URI (whose user part may be
  // a phone number). A client that sends none gets the directory's line URI.
  const auto& rss = std::get<csta::RequestSystemStatus>(request.body);
  const std::string line_text = rss.line.value_or(user.line_uri);
  auto line = csta::parse_line_uri(line_text);
  if (!line)
    return refuse_invite(txn, Refusal::bad_line_uri, user.id,
                         "line URI '" + line_text + "': " + line.error().message(), call_id);
  auto own = csta::parse_line_uri(user.line_uri);
  if (!own || !csta::same_line(*line, *own))
    return refuse_invite(
        txn, Refusal::line_mismatch, user.id,
        "line '" + line_text + "' is not the user's line URI '" + user.line_uri + "'", call_id);
  // Device selection, first pass: which devices' registration the choice depends on (the
  // function asks for each it needs). The directory's flag stands in until the node answers.
  std::vector<std::string> needed;
  const auto first = select_device(*devices_, user, *line, settings_.mode,
                                   [&needed](const directory::Device& dev) {
                                     needed.push_back(dev.name);
                                     return dev.registered;
                                   });
  if (first.refusal != Refusal::none)
    return refuse_invite(txn, first.refusal, user.id, first.reason, call_id);
  auto node = cti_.place();
  if (!node)
    return refuse_invite(txn, Refusal::no_node_up, user.id, node.error().message(), call_id);
  if (settings_.max_cti_backlog && cti_.backlog(*node) >= settings_.max_cti_backlog)
    return refuse_invite(
        txn, Refusal::overloaded, user.id,
        std::to_string(cti_.backlog(*node)) + " requests wait on node " + cti_.name(*node),
        call_id);
  auto placing = std::make_shared<Placing>();
  placing->p = p;
  placing->user = user;
  placing->by = match.by;
  placing->line = *line;
  placing->line_text = line_text;
  placing->node = *node;
  if (needed.empty()) return admit(*placing, first);
  ask_registration(placing, needed);
}

void Gateway::ask_registration(const std::shared_ptr<Placing>& placing,
                               const std::vector<std::string>& devices) {
  // SnapshotDevice on the device's name, on the node the session goes to, in the sign-in lane
  // (behind the signed-in users' requests, paced and timed out like every request): a positive
  // answer is registered, resourceOutOfService or deviceOutOfService is not, anything else (an
  // error, a timeout, a node that does not know devices by name) leaves it to the directory.
  ++placing->rounds;
  auto alive = alive_;
  for (const auto& name : devices) {
    if (placing->asked.count(name)) continue;
    placing->asked.insert(name);
    ++placing->waiting;
    cti_.request_for_sign_in(
        placing->node, csta::SnapshotDevice{name},
        [this, alive, placing, name](Result<csta::Message> r) {
          if (!*alive) return;
          auto& answer = placing->answers[name];
          if (!r) {
            answer.problem = r.error().message();
          } else if (const auto* e = std::get_if<csta::CSTAErrorCode>(&r->body)) {
            if (e->value == "resourceOutOfService" || e->value == "deviceOutOfService")
              answer.registered = false;
            else
              answer.problem = "answered " + e->category + " " + e->value;
          } else if (std::holds_alternative<csta::SnapshotDeviceResponse>(r->body)) {
            answer.registered = true;
          } else {
            answer.problem = "answered " + std::string(csta::element_name(r->body));
          }
          if (--placing->waiting == 0) decide(placing);
        });
  }
  if (placing->waiting == 0) decide(placing);
}

void Gateway::decide(const std::shared_ptr<Placing>& placing) {
  const Placing& pl = *placing;
  // The INVITE may have been answered meanwhile (CANCEL, the dialog ended): nothing to do.
  if (!dialogs_->find(pl.p.dialog)) return;
  std::vector<std::string> more;  // devices this pass needs that were not asked yet
  std::string sources;
  const std::string node_name = cti_.name(pl.node);
  auto choice =
      select_device(*devices_, pl.user, pl.line, settings_.mode, [&](const directory::Device& dev) {
        const auto it = pl.answers.find(dev.name);
        if (it == pl.answers.end()) {
          more.push_back(dev.name);
          return dev.registered;
        }
        const bool from_node = it->second.registered.has_value();
        const bool registered = from_node ? *it->second.registered : dev.registered;
        sources +=
            std::string(sources.empty() ? "" : "; ") + dev.name +
            (registered ? " registered" : " not registered") +
            (from_node ? " per CTI node " + node_name
                       : " per the directory (node " + node_name + ": " + it->second.problem + ")");
        return registered;
      });
  // The rules ask about one device after another; a later pass may need one more (bounded by
  // the number of devices on a line, and by a small count in any case).
  if (!more.empty() && pl.rounds < 4 && choice.refusal == Refusal::none)
    return ask_registration(placing, more);
  if (choice.refusal != Refusal::none)
    return refuse_invite(pl.p.txn, choice.refusal, pl.user.id, choice.reason, pl.p.call_id);
  if (!sources.empty()) choice.reason += " (" + sources + ")";
  if (!cti_.up(pl.node)) {
    // The node went down while it was asked: the session goes to one that is up.
    auto node = cti_.place();
    if (!node)
      return refuse_invite(pl.p.txn, Refusal::no_node_up, pl.user.id, node.error().message(),
                           pl.p.call_id);
    placing->node = *node;
  }
  admit(*placing, choice);
}

void Gateway::admit(const Placing& pl, const DeviceChoice& choice) {
  const SignIn& p = pl.p;
  const sip::TxnId txn = p.txn;
  const csta::Message& request = p.request;
  const std::string& call_id = p.call_id;
  const directory::User& user = pl.user;
  const std::string& line_text = pl.line_text;
  // A new INVITE from the same endpoint for the same line replaces the old dialog (the client
  // rebuilt it after OCS lost the route). Another endpoint of the same user keeps its own.
  const std::string key = user.id + "\n" + pl.line.digits() + "\n" + p.endpoint;
  if (Session* old = sessions_.by_client_key(key)) {
    log()->info("session replaced user={} line={} old-call-id={} call-id={}", user.id, line_text,
                old->sip_call_id, call_id);
    const sip::DialogKey old_dialog = old->dialog;
    end_session(*old, "replaced by a new INVITE");
    (void)dialogs_->send_bye(old_dialog);
  }

  Session s;
  s.id = sessions_.next_id();
  s.dialog = p.dialog;
  s.sip_call_id = call_id;
  s.user = user.id;
  s.line_uri = line_text;
  s.line = pl.line;
  s.dn = pl.line.digits();
  s.devices = choice.devices;
  s.device_reason = choice.reason;
  if (devices_->devices_with_dn(s.dn).size() > 1 && !s.devices.empty())
    s.acting_device = s.devices.front();
  s.client_key = key;
  s.node = pl.node;
  s.ns = request.ns;
  s.since = s.last_refresh = now();
  Session& added = sessions_.add(std::move(s));
  ++counters_.sign_ins;
  std::string devices;
  for (const auto& dev : added.devices)
    devices += (devices.empty() ? "" : ",") + dev;
  log()->info(
      "signed in user={} matched-by=\"{}\" line={} device={} why=\"{}\" node={} call-id={} "
      "session={}",
      added.user, to_string(pl.by), added.line_uri, devices, added.device_reason,
      cti_.name(added.node), added.sip_call_id, added.id);
  sip::Answer a;
  a.body = xml(csta::answer(request, csta::RequestSystemStatusResponse{"normal"}));
  a.content_type = kCstaType;
  (void)dialogs_->answer(txn, a);
}

void Gateway::refresh(Session& s, sip::TxnId txn, const csta::Message* request) {
  s.last_refresh = now();
  if (s.state == SessionState::needs_reinvite) {
    // reinvite failover: a re-INVITE in the dialog re-establishes the session on a live node.
    s.state = SessionState::failing_over;
    if (!recover(s.id)) {
      s.state = SessionState::needs_reinvite;
      sip::Answer a;
      a.status = 503;
      a.headers.push_back({"Retry-After", retry_after()});
      (void)dialogs_->answer(txn, a);
      return;
    }
  }
  log()->info("refreshed user={} line={} node={} call-id={} by=re-INVITE", s.user, s.line_uri,
              cti_.name(s.node), s.sip_call_id);
  sip::Answer a;
  if (request) {
    a.body = xml(csta::answer(*request, csta::RequestSystemStatusResponse{"normal"}));
    a.content_type = kCstaType;
  }
  (void)dialogs_->answer(txn, a);
}

// --- requests ---------------------------------------------------------------------------------

void Gateway::on_info(const sip::Dialog& d, sip::TxnId txn, const sip::Message& info) {
  Session* s = sessions_.by_dialog(d.key);
  if (!s || s->state == SessionState::ending) {
    (void)dialogs_->answer(txn, sip::Answer{481, {}, {}, {}});
    return;
  }
  if (s->state == SessionState::needs_reinvite) {
    // Failover "reinvite": the client rebuilds the session with a new INVITE (as the reference
    // gateway makes it do). The dialog is over for both sides once the 481 is sent.
    (void)dialogs_->answer(txn, sip::Answer{481, {}, {}, {}});
    log()->info("session ended user={} line={} call-id={} why=\"node lost, 481 for re-INVITE\"",
                s->user, s->line_uri, s->sip_call_id);
    const sip::DialogKey key = s->dialog;
    end_session(*s, "node lost");
    dialogs_->forget(key);
    return;
  }
  if (!is_csta(info)) {
    sip::Answer a;
    a.status = 415;
    a.headers.push_back({"Accept", kCstaType});
    (void)dialogs_->answer(txn, a);
    return;
  }
  auto request = csta::decode(info.body);
  if (!request) {
    if (request.error().code() == csta::Errc::unknown_message) {
      // A service this gateway does not know: a CSTA-level answer (docs/protocol.md, errors).
      csta::Message m{s->ns, csta::RequestSystemStatus{}};
      answer_error(txn, m, "operation", "invalidFeature");
      log()->info("user={} call-id={} unknown CSTA request: {}", s->user, s->sip_call_id,
                  util::printable(request.error().message()));
      return;
    }
    sip::Answer a;
    a.status = 400;
    a.headers.push_back({"Warning", warning("CSTA body refused: " + request.error().message())});
    (void)dialogs_->answer(txn, a);
    log()->warn("user={} call-id={} INFO refused (400): {}", s->user, s->sip_call_id,
                util::printable(request.error().message()));
    return;
  }
  handle_request(s->id, txn, std::move(*request));
}

void Gateway::answer_csta(sip::TxnId txn, const csta::Message& request, csta::Body body) {
  if (auto it = started_.find(txn); it != started_.end()) {
    const bool error = std::holds_alternative<csta::CSTAErrorCode>(body);
    ++counters_.answers[{std::string(it->second.service), error ? "error" : "ok"}];
    counters_.round_trip.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - it->second.at).count());
    started_.erase(it);
  }
  sip::Answer a;
  a.body = xml(csta::answer(request, std::move(body)));
  a.content_type = kCstaType;
  (void)dialogs_->answer(txn, a);
}

void Gateway::answer_error(sip::TxnId txn, const csta::Message& request, std::string category,
                           std::string value) {
  ++counters_.request_errors;
  answer_csta(txn, request, csta::CSTAErrorCode{std::move(category), std::move(value)});
}

bool Gateway::own_line(const Session& s, const std::string& device) const {
  if (device == s.line_uri || device == s.monitor_object) return true;
  auto parsed = csta::parse_line_uri(device);
  if (parsed) return csta::same_line(*parsed, s.line);
  return number_of(device) == s.dn;
}

void Gateway::handle_request(SessionId id, sip::TxnId txn, csta::Message request) {
  Session& s = *sessions_.find(id);
  ++counters_.requests;
  csta::Body& body = request.body;
  const ServiceRow* row = service(body);
  started_[txn] = {std::chrono::steady_clock::now(), row ? row->element : "other"};
  if (!row) {
    ++counters_.privilege_refusals;
    log()->warn("user={} call-id={} refused {}: not a service clients may request", s.user,
                s.sip_call_id, csta::element_name(body));
    return answer_error(txn, request, "operation", "invalidFeature");
  }
  switch (row->handling) {
    case Handling::local:
      if (std::holds_alternative<csta::GetCSTAFeatures>(body))
        return answer_csta(txn, request, features());
      return answer_csta(txn, request, csta::RequestSystemStatusResponse{"normal"});
    case Handling::monitor_start:
      return monitor_start(id, txn, request, std::get<csta::MonitorStart>(body));
    case Handling::monitor_stop:
      if (!s.monitoring ||
          std::get<csta::MonitorStop>(body).monitor_cross_ref_id != s.client_xref) {
        ++counters_.privilege_refusals;
        log()->warn(
            "user={} call-id={} refused: MonitorStop of crossRefID {} is not this "
            "session's",
            s.user, s.sip_call_id, std::get<csta::MonitorStop>(body).monitor_cross_ref_id);
        return answer_error(txn, request, "operation", "invalidCrossRefID");
      }
      return monitor_stop(id, txn, request);
    case Handling::node:
      break;
  }
  csta::Body to_node = body;
  std::string why;
  if (auto refused = to_node_ids(s, to_node, why)) {
    ++counters_.privilege_refusals;
    log()->warn("user={} line={} call-id={} refused {}: {}", s.user, s.line_uri,
                util::printable(s.sip_call_id), csta::element_name(body), util::printable(why));
    return answer_error(txn, request, "operation", *refused);
  }
  // AnswerCall on a shared line: on the session's device (the node then names it as the
  // answering device, which binds a session whose two devices both ring: see on_event).
  if (auto* answer = std::get_if<csta::AnswerCall>(&to_node); answer && !s.acting_device.empty())
    answer->call_to_be_answered.device_id = s.acting_device;
  forward(id, txn, request, std::move(to_node));
}

void Gateway::forward(SessionId id, sip::TxnId txn, const csta::Message& request,
                      csta::Body to_node) {
  Session& s = *sessions_.find(id);
  if (s.state == SessionState::failing_over || !cti_.up(s.node))
    return answer_error(txn, request, "systemResourceAvailability", "resourceOutOfService");
  auto alive = alive_;
  cti_.request(
      s.node, std::move(to_node), [this, alive, id, txn, request](Result<csta::Message> r) {
        if (!*alive) return;
        Session* live = sessions_.find(id);
        if (!live) {  // the dialog ended meanwhile; its transaction was answered 481
          started_.erase(txn);
          return;
        }
        if (!r) {
          log()->warn("user={} call-id={} {} failed on node {}: {}", live->user, live->sip_call_id,
                      csta::element_name(request.body), cti_.name(live->node), r.error().message());
          return answer_error(txn, request, "systemResourceAvailability", "resourceOutOfService");
        }
        if (std::holds_alternative<csta::CSTAErrorCode>(r->body)) ++counters_.request_errors;
        to_client(*live, r->body);
        answer_csta(txn, request, std::move(r->body));
      });
}

void Gateway::monitor_start(SessionId id, sip::TxnId txn, const csta::Message& request,
                            const csta::MonitorStart& m) {
  Session& s = *sessions_.find(id);
  if (!own_line(s, m.device_object)) {
    ++counters_.privilege_refusals;
    log()->warn("user={} line={} call-id={} refused MonitorStart of {}: not the user's line",
                s.user, s.line_uri, s.sip_call_id, m.device_object);
    return answer_error(txn, request, "operation", "privilegeViolationOnSpecifiedDevice");
  }
  s.monitor_object = m.device_object;
  if (s.monitoring)  // a repeated MonitorStart: the same monitor
    return answer_csta(txn, request, csta::MonitorStartResponse{s.client_xref, std::nullopt});
  if (!cti_.up(s.node))
    return answer_error(txn, request, "systemResourceAvailability", "resourceOutOfService");
  auto alive = alive_;
  auto reply = [this, alive, id, txn, request](Result<csta::Message> r) {
    if (!*alive) return;
    Session* live = sessions_.find(id);
    if (!live) {
      started_.erase(txn);
      return;
    }
    const auto* ok = r ? std::get_if<csta::MonitorStartResponse>(&r->body) : nullptr;
    if (!ok) {
      log()->warn("user={} call-id={} MonitorStart failed on node {}: {}", live->user,
                  live->sip_call_id, cti_.name(live->node),
                  r ? std::string(csta::element_name(r->body)) : r.error().message());
      if (r && std::holds_alternative<csta::CSTAErrorCode>(r->body)) {
        ++counters_.request_errors;
        return answer_csta(txn, request, r->body);
      }
      return answer_error(txn, request, "systemResourceAvailability", "resourceOutOfService");
    }
    if (live->client_xref.empty()) live->client_xref = "x" + std::to_string(next_xref_++);
    sessions_.set_monitor(*live, live->node, ok->monitor_cross_ref_id);
    answer_csta(txn, request, csta::MonitorStartResponse{live->client_xref, std::nullopt});
  };
  // A new sign-in's first monitor waits behind the signed-in users' requests (a storm must not
  // delay them); a client that restarts its monitor is a signed-in user.
  if (s.client_xref.empty())
    cti_.request_for_sign_in(s.node, csta::MonitorStart{s.dn}, std::move(reply));
  else
    cti_.request(s.node, csta::MonitorStart{s.dn}, std::move(reply));
}

void Gateway::release_monitor(Session& s) {
  if (!s.monitoring) return;
  const std::size_t node = s.node;
  const std::string xref = s.node_xref;
  sessions_.clear_monitor(s);
  // The node gives one crossRefID per device and link: stop it when no session uses it.
  if (sessions_.by_monitor(node, xref).empty() && cti_.up(node))
    cti_.request(node, csta::MonitorStop{xref}, [](Result<csta::Message>) {});
}

void Gateway::monitor_stop(SessionId id, sip::TxnId txn, const csta::Message& request) {
  Session& s = *sessions_.find(id);
  release_monitor(s);
  answer_csta(txn, request, csta::MonitorStopResponse{});
}

// --- identifiers ------------------------------------------------------------------------------

std::string Gateway::client_device(const Session& s, const std::string& node_device) const {
  if (node_device.empty()) return node_device;
  if (node_device == s.dn) return s.monitor_object.empty() ? s.line_uri : s.monitor_object;
  std::string number = node_device;
  // A device by name (a shared line's answering device): the client knows lines, not devices.
  if (const auto* d = devices_->device(node_device); d && !d->lines.empty()) {
    const bool mine = std::any_of(d->lines.begin(), d->lines.end(),
                                  [&](const directory::Line& l) { return l.dn == s.dn; });
    if (mine) return s.monitor_object.empty() ? s.line_uri : s.monitor_object;
    number = d->lines.front().dn;
  }
  if (settings_.inbound_number)
    if (auto n = settings_.inbound_number(number)) return *n;
  if (util::istarts_with(number, "tel:") || util::istarts_with(number, "sip:")) return number;
  if (!number.empty() && number.front() == '+') return "tel:" + number;
  return "tel:" + number + ";phone-context=dialstring";
}

std::string Gateway::node_number(const std::string& client_number) const {
  if (settings_.outbound_number)
    if (auto n = settings_.outbound_number(client_number)) return number_of(*n);
  return number_of(client_number);
}

void Gateway::to_client(Session& s, csta::Body& body) {
  struct Map {
    Gateway& g;
    Session& s;
    void connection(csta::ConnectionId& c) {
      if (!c.call_id.empty()) {
        auto it = s.call_to_client.find(c.call_id);
        if (it == s.call_to_client.end()) {
          const std::string mine = "c" + std::to_string(g.next_call_++);
          it = s.call_to_client.emplace(c.call_id, mine).first;
          s.call_to_node[mine] = c.call_id;
        }
        c.call_id = it->second;
      }
      c.device_id = g.client_device(s, c.device_id);
    }
    void device(csta::DeviceRef& d) {
      if (d.kind == csta::DeviceRef::Kind::identifier) d.id = g.client_device(s, d.id);
    }
    void text(std::string_view name, std::string& v) {
      if (name == "monitorCrossRefID") v = s.client_xref;
    }
  } map{*this, s};
  csta::walk_ids(body, map);
}

std::optional<std::string> Gateway::to_node_ids(Session& s, csta::Body& body, std::string& why) {
  struct Map {
    Gateway& g;
    Session& s;
    std::string& why;
    std::string value;  // the CSTAErrorCode operation value for `why`
    void connection(csta::ConnectionId& c) {
      if (!why.empty()) return;
      if (!c.call_id.empty()) {
        const auto it = s.call_to_node.find(c.call_id);
        if (it == s.call_to_node.end()) {
          why = "call " + c.call_id + " is not one of this session's calls";
          value = "invalidCallIdentifier";
          return;
        }
        c.call_id = it->second;
      }
      if (!c.device_id.empty()) {
        if (!g.own_line(s, c.device_id)) {
          why = "connection at " + c.device_id + " is not on the user's line";
          value = "invalidConnectionIdentifier";
          return;
        }
        c.device_id = s.dn;
      }
    }
    void device(csta::DeviceRef& d) {
      if (d.kind == csta::DeviceRef::Kind::identifier) d.id = g.node_number(d.id);
    }
    void text(std::string_view name, std::string& v) {
      if (!why.empty()) return;
      if (name == "callingDevice" || name == "device" || name == "snapshotObject" ||
          name == "deviceObject") {
        // The device acted on or for: only the session's own line.
        if (!g.own_line(s, v)) {
          why = "device " + v + " is not the user's line";
          value = "privilegeViolationOnSpecifiedDevice";
          return;
        }
        // MakeCall on a shared line: from the session's device, not any device of the line.
        v = name == "callingDevice" && !s.acting_device.empty() ? s.acting_device : s.dn;
      } else if (name == "calledDirectoryNumber" || name == "consultedDevice" ||
                 name == "transferredTo" || name == "newDestination" || name == "forwardDN") {
        v = g.node_number(v);  // a destination: any number the rules allow
      } else if (name == "monitorCrossRefID") {
        if (v != s.client_xref) {
          why = "crossRefID " + v + " is not this session's";
          value = "invalidCrossRefID";
          return;
        }
        v = s.node_xref;
      }
    }
  } map{*this, s, why, {}};
  csta::walk_ids(body, map);
  if (why.empty()) return std::nullopt;
  return map.value;
}

// --- events -----------------------------------------------------------------------------------

void Gateway::on_event(std::size_t node, const csta::Message& event) {
  const auto xref = csta::monitor_cross_ref_id(event.body);
  if (!xref) return;
  const auto* established = std::get_if<csta::EstablishedEvent>(&event.body);
  for (const SessionId id : sessions_.by_monitor(node, *xref)) {
    Session* s = sessions_.find(id);
    if (!s || s->state != SessionState::active) continue;
    if (established) bind_answered(*s, *established);
    csta::Message copy{s->ns, event.body};
    to_client(*s, copy.body);
    ++counters_.events;
    auto sent = dialogs_->send_info(s->dialog, xml(copy), kCstaType);
    if (!sent) {
      // A client that cannot keep up with its events (or whose route is gone) loses the
      // session and signs in again; the others carry on.
      log()->warn("user={} line={} call-id={} event {} not sent: {}; ending the session", s->user,
                  s->line_uri, s->sip_call_id, csta::element_name(event.body),
                  sent.error().message());
      const sip::DialogKey key = s->dialog;
      end_session(*s, "event queue full");
      (void)dialogs_->send_bye(key);
    }
  }
}

void Gateway::bind_answered(Session& s, const csta::EstablishedEvent& e) {
  // Both devices ring; the one the user answers on (from the client's AnswerCall or by picking
  // the phone up) is the one the session controls from then on, until an answer on the other.
  if (s.devices.size() < 2 || e.established_connection.device_id != s.dn) return;
  const std::string& by = e.answering_device.id;
  if (std::find(s.devices.begin(), s.devices.end(), by) == s.devices.end()) return;
  if (s.bound && s.acting_device == by) return;
  s.acting_device = by;
  s.bound = true;
  log()->info("device bound user={} line={} device={} why=\"answered there\" call-id={} session={}",
              s.user, s.line_uri, by, s.sip_call_id, s.id);
}

void Gateway::on_info_result(const sip::Dialog&, std::uint64_t, const sip::Message*,
                             std::error_code) {
  // 481, 408 and timeouts end the dialog in the dialog layer; on_dialog_ended cleans up.
}

// --- failover ---------------------------------------------------------------------------------

void Gateway::on_node_state(std::size_t node, bool up) {
  if (!up) {
    for (const SessionId id : sessions_.on_node(node)) {
      Session* s = sessions_.find(id);
      if (!s || s->state == SessionState::ending) continue;
      ++counters_.failovers;
      sessions_.clear_monitor(*s);
      s->call_to_client.clear();  // the node's calls went with it
      s->call_to_node.clear();
      s->monitoring = false;
      if (settings_.failover == Failover::reinvite) {
        s->state = SessionState::needs_reinvite;
        log()->warn("failover user={} line={} node={} call-id={} mode=reinvite", s->user,
                    s->line_uri, cti_.name(node), s->sip_call_id);
        continue;
      }
      s->state = SessionState::failing_over;
      recover(id);
    }
    return;
  }
  // A node came back: sessions still waiting for one move now.
  for (const SessionId id : sessions_.all()) {
    Session* s = sessions_.find(id);
    if (s && s->state == SessionState::failing_over) recover(id);
  }
}

bool Gateway::recover(SessionId id) {
  Session* s = sessions_.find(id);
  if (!s) return false;
  auto node = cti_.place();
  if (!node) {
    log()->warn("failover user={} line={} call-id={} waiting: no CTI node up", s->user, s->line_uri,
                s->sip_call_id);
    return false;  // on_node_state(up) tries again
  }
  sessions_.move_to_node(*s, *node);
  if (s->client_xref.empty()) {  // never monitored: nothing to re-establish
    s->state = SessionState::active;
    return true;
  }
  auto alive = alive_;
  const std::size_t placed = *node;
  cti_.request(
      placed, csta::MonitorStart{s->dn}, [this, alive, id, placed](Result<csta::Message> r) {
        if (!*alive) return;
        Session* live = sessions_.find(id);
        if (!live || live->state == SessionState::ending) return;
        const auto* ok = r ? std::get_if<csta::MonitorStartResponse>(&r->body) : nullptr;
        if (!ok && r) {
          // The node refused the monitor: another would too. The client signs in again.
          log()->warn("failover user={} line={} call-id={} failed: node {} answered {}", live->user,
                      live->line_uri, live->sip_call_id, cti_.name(placed),
                      csta::element_name(r->body));
          const sip::DialogKey key = live->dialog;
          end_session(*live, "monitor refused after failover");
          (void)dialogs_->send_bye(key);
          return;
        }
        if (!ok) {  // that node failed too: the next one (bounded: no node up ends it)
          live->state = SessionState::failing_over;
          recover(id);
          return;
        }
        sessions_.set_monitor(*live, placed, ok->monitor_cross_ref_id);
        live->state = SessionState::active;
        log()->info("failover user={} line={} node={} call-id={} mode=transparent monitor restored",
                    live->user, live->line_uri, cti_.name(placed), live->sip_call_id);
      });
  return true;
}

// --- the end ----------------------------------------------------------------------------------

void Gateway::end_session(Session& s, const std::string& why) {
  s.state = SessionState::ending;
  release_monitor(s);
  log()->info("session ended user={} line={} node={} call-id={} why=\"{}\" session={}", s.user,
              s.line_uri, cti_.name(s.node), s.sip_call_id, why, s.id);
  sessions_.erase(s.id);
}

void Gateway::on_dialog_ended(const sip::Dialog& d, std::error_code why) {
  Session* s = sessions_.by_dialog(d.key);
  if (!s) return;
  if (!why) ++counters_.sign_outs;  // the dialog layer ends a dialog without a cause on a BYE
  end_session(*s, why ? why.message() : "BYE");
}

void Gateway::end_all() {
  for (const SessionId id : sessions_.all()) {
    Session* s = sessions_.find(id);
    if (!s) continue;
    const sip::DialogKey key = s->dialog;
    end_session(*s, "gateway stopping");
    (void)dialogs_->send_bye(key);
  }
}

}  // namespace rcc::gateway
