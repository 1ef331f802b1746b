#include "ctisim/world.h"

#include <algorithm>
#include <set>

namespace rcc::ctisim {
namespace {

using csta::ConnectionId;
using csta::CSTAErrorCode;
using csta::DeviceRef;

constexpr int kEvent = 9999;

CSTAErrorCode err(const char* category, const char* value) {
  return CSTAErrorCode{category, value};
}

}  // namespace

World::Party* World::Call::party(const std::string& device) {
  for (auto& p : parties)
    if (p.device == device) return &p;
  return nullptr;
}

World::World(const directory::Directory& directory) : directory_(directory) {}

bool World::internal(const std::string& dn) const {
  return !directory_.devices_with_dn(dn).empty();
}

bool World::registered(const directory::Device& d) const {
  if (auto it = registered_override_.find(d.name); it != registered_override_.end())
    return it->second == "1";
  return d.registered;
}

bool World::reachable(const std::string& dn) const {
  for (const auto* d : directory_.devices_with_dn(dn))
    if (registered(*d)) return true;
  return false;
}

bool World::shared(const std::string& dn) const {
  return directory_.devices_with_dn(dn).size() > 1;
}

const directory::Device* World::phone(const std::string& name) const {
  if (internal(name)) return nullptr;  // a DN, not a device name
  const auto* d = directory_.device(name);
  return d && !d->lines.empty() ? d : nullptr;
}

std::string World::first_registered(const std::string& dn) const {
  for (const auto* d : directory_.devices_with_dn(dn))
    if (registered(*d)) return d->name;
  return {};
}

std::string World::new_call_id() {
  return std::to_string(next_call_++);
}

World::Call* World::find_call(const std::string& id) {
  auto it = calls_.find(id);
  return it == calls_.end() ? nullptr : &it->second;
}

void World::erase_call(std::string id) {
  calls_.erase(id);
}

template <class Make>
void World::emit(const Call& call, std::vector<Out>& out, Make&& make,
                 const std::vector<std::string>& extra) {
  // The monitors of the call's devices, found through the device index, in crossRefID order
  // (the order every monitor used to be visited in, so event sequences stay the same).
  std::set<std::string> xrefs;
  auto add = [&](const std::string& device) {
    auto it = monitors_by_device_.find(device);
    if (it != monitors_by_device_.end()) xrefs.insert(it->second.begin(), it->second.end());
  };
  for (const auto& p : call.parties)
    add(p.device);
  for (const auto& d : extra)
    add(d);
  for (const auto& xref : xrefs) {
    const Monitor& m = monitors_.at(xref);
    const std::string* lci = nullptr;
    for (const auto& p : call.parties)
      if (p.device == m.device) lci = &p.state;
    out.push_back(Out{m.session, kEvent, make(xref, lci ? *lci : std::string("null"))});
  }
}

template <class Make>
void World::emit_device(const std::string& device, std::vector<Out>& out, Make&& make) {
  auto it = monitors_by_device_.find(device);
  if (it == monitors_by_device_.end()) return;
  for (const auto& xref : it->second)
    out.push_back(Out{monitors_.at(xref).session, kEvent, make(xref)});
}

void World::add_monitor(const std::string& xref, SessionId session, const std::string& device) {
  monitors_[xref] = Monitor{session, device};
  monitors_by_device_[device].insert(xref);
  monitors_by_session_[session].insert(xref);
  monitor_of_[{session, device}] = xref;
}

void World::remove_monitor(const std::string& xref) {
  auto it = monitors_.find(xref);
  if (it == monitors_.end()) return;
  auto unindex = [&xref](auto& index, const auto& key) {
    auto i = index.find(key);
    if (i == index.end()) return;
    i->second.erase(xref);
    if (i->second.empty()) index.erase(i);
  };
  unindex(monitors_by_device_, it->second.device);
  unindex(monitors_by_session_, it->second.session);
  monitor_of_.erase({it->second.session, it->second.device});
  monitors_.erase(it);
}

void World::drop_session(SessionId session) {
  auto it = monitors_by_session_.find(session);
  if (it == monitors_by_session_.end()) return;
  const std::set<std::string> xrefs = it->second;
  for (const auto& xref : xrefs)
    remove_monitor(xref);
}

std::optional<CSTAErrorCode> World::locate(const ConnectionId& c, Call** call, Party** party) {
  *call = find_call(c.call_id);
  if (!*call) return err("operation", "invalidCallID");
  *party = (*call)->party(c.device_id);
  if (!*party) return err("operation", "invalidConnectionID");
  return std::nullopt;
}

void World::originate(Call& call, const std::string& from, const std::string& cause,
                      std::vector<Out>& out) {
  call.parties.push_back(Party{from, "initiated", {}});
  emit(call, out, [&](const std::string& x, const std::string& lci) {
    return csta::ServiceInitiatedEvent{x, {call.id, from}, DeviceRef::of(from), lci, cause};
  });
  call.parties.back().state = "connected";
  emit(call, out, [&](const std::string& x, const std::string& lci) {
    return csta::OriginatedEvent{
        x, {call.id, from}, DeviceRef::of(from), DeviceRef::of(call.called), lci, cause};
  });
}

void World::deliver(Call& call, const std::string& to, const std::string& cause,
                    const std::string& redirected_from, std::vector<Out>& out) {
  std::string target = to;
  std::string why = cause;
  std::string last_redirect = redirected_from;
  auto& f = features_[to];
  auto busy = [&](const std::string& dn) {
    for (const auto& [id, c] : calls_)
      for (const auto& p : c.parties)
        if (p.device == dn && c.id != call.id) return true;
    return false;
  };
  // Forwarding before anything else (ECMA-269: immediate forwarding diverts at once).
  if (auto it = f.forwards.find("forwardImmediate"); it != f.forwards.end() && it->second.first) {
    target = it->second.second;
    why = "callForwardImmediate";
    last_redirect = to;
  } else if (auto b = f.forwards.find("forwardBusy");
             b != f.forwards.end() && b->second.first && busy(to)) {
    target = b->second.second;
    why = "callForwardBusy";
    last_redirect = to;
  }
  const DeviceRef calling = DeviceRef::of(call.calling);
  const DeviceRef called = DeviceRef::of(call.called);
  const std::optional<DeviceRef> redirect = last_redirect.empty()
                                                ? DeviceRef{DeviceRef::Kind::not_required, {}}
                                                : DeviceRef::of(last_redirect);
  std::string fail_cause;
  if (internal(target)) {
    if (features_[target].dnd)
      fail_cause = "doNotDisturb";
    else if (!reachable(target))
      fail_cause = "destNotObtainable";
    else if (busy(target))
      fail_cause = "busy";
  }
  if (!fail_cause.empty()) {
    // The caller keeps its leg and hears the tone until it clears (docs/protocol.md).
    emit(call, out,
         [&](const std::string& x, const std::string& lci) {
           return csta::FailedEvent{
               x,   {call.id, target}, DeviceRef::of(target), calling, called, redirect,
               lci, fail_cause};
         },
         {target});
    return;
  }
  call.parties.push_back(Party{target, "alerting", {}});
  emit(call, out, [&](const std::string& x, const std::string& lci) {
    return csta::DeliveredEvent{
        x, {call.id, target}, DeviceRef::of(target), calling, called, redirect, lci, why};
  });
}

void World::clear_party(Call& call, std::string device, std::vector<Out>& out) {
  // By value: `device` and `dev` often name a party that is erased below.
  // Devices that left during this clear still hear about the rest of it (docs/protocol.md: both
  // monitors see the second ConnectionCleared).
  std::vector<std::string> left;
  auto emit_cleared = [&](std::string dev) {
    // The dropped party sees null: compute lci after it left, but still reach its monitors.
    auto it = std::find_if(call.parties.begin(), call.parties.end(),
                           [&](const Party& p) { return p.device == dev; });
    if (it == call.parties.end()) return;
    call.parties.erase(it);
    left.push_back(dev);
    emit(
        call, out,
        [&](const std::string& x, const std::string& lci) {
          return csta::ConnectionClearedEvent{
              x, {call.id, dev}, DeviceRef::of(dev), lci, std::string("normalClearing")};
        },
        left);
  };
  emit_cleared(device);
  // A call with one party left is over: the switch clears that party too (docs/protocol.md,
  // default ConnectionCleared per party).
  if (call.parties.size() == 1) emit_cleared(call.parties.front().device);
  if (call.parties.empty()) erase_call(call.id);
}

void World::handle(SessionId session, int invoke_id, const csta::Body& request,
                   std::vector<Out>& out) {
  std::vector<Out> events;
  csta::Body response = err("operation", "serviceNotSupported");
  if (auto* r = std::get_if<csta::MonitorStart>(&request)) {
    if (!internal(r->device_object)) {
      response = err("operation", "invalidDeviceID");
    } else {
      // One crossRefID per (session, device): a repeated MonitorStart returns the same one.
      std::string xref;
      if (auto it = monitor_of_.find({session, r->device_object}); it != monitor_of_.end())
        xref = it->second;
      if (xref.empty()) {
        xref = std::to_string(next_monitor_++);
        add_monitor(xref, session, r->device_object);
      }
      response = csta::MonitorStartResponse{xref, std::nullopt};
    }
  } else if (auto* s = std::get_if<csta::MonitorStop>(&request)) {
    auto it = monitors_.find(s->monitor_cross_ref_id);
    if (it == monitors_.end() || it->second.session != session) {
      response = err("operation", "invalidMonitorCrossReferenceID");
    } else {
      remove_monitor(s->monitor_cross_ref_id);
      ++monitor_stops_;
      response = csta::MonitorStopResponse{};
    }
  } else if (auto* sd = std::get_if<csta::SnapshotDevice>(&request)) {
    response = snapshot(*sd);
  } else if (std::holds_alternative<csta::RequestSystemStatus>(request)) {
    response = csta::RequestSystemStatusResponse{"normal"};
  } else if (auto* mc = std::get_if<csta::MakeCall>(&request)) {
    response = make_call(*mc, events);
  } else if (auto* a = std::get_if<csta::AnswerCall>(&request)) {
    response = answer_call(*a, events);
  } else if (auto* c = std::get_if<csta::ClearConnection>(&request)) {
    response = clear_connection(*c, events);
  } else if (auto* h = std::get_if<csta::HoldCall>(&request)) {
    response = hold_call(*h, events);
  } else if (auto* rt = std::get_if<csta::RetrieveCall>(&request)) {
    response = retrieve_call(*rt, events);
  } else if (auto* cc = std::get_if<csta::ConsultationCall>(&request)) {
    response = consultation_call(*cc, events);
  } else if (auto* t = std::get_if<csta::TransferCall>(&request)) {
    response = transfer_call(*t, events);
  } else if (auto* cf = std::get_if<csta::ConferenceCall>(&request)) {
    response = conference_call(*cf, events);
  } else if (auto* alt = std::get_if<csta::AlternateCall>(&request)) {
    response = alternate_call(*alt, events);
  } else if (auto* rc = std::get_if<csta::ReconnectCall>(&request)) {
    response = reconnect_call(*rc, events);
  } else if (auto* sst = std::get_if<csta::SingleStepTransferCall>(&request)) {
    response = single_step_transfer(*sst, events);
  } else if (auto* d = std::get_if<csta::DeflectCall>(&request)) {
    response = deflect_call(*d, events);
  } else if (auto* sf = std::get_if<csta::SetForwarding>(&request)) {
    response = set_forwarding(*sf, events);
  } else if (auto* gf = std::get_if<csta::GetForwarding>(&request)) {
    if (!internal(gf->device)) {
      response = err("operation", "invalidDeviceID");
    } else {
      csta::GetForwardingResponse g;
      for (const auto& [type, v] : features_[gf->device].forwards)
        g.forwarding_list.push_back({type, v.first, v.second, std::nullopt});
      response = g;
    }
  } else if (auto* sdnd = std::get_if<csta::SetDoNotDisturb>(&request)) {
    response = set_dnd(*sdnd, events);
  } else if (auto* gdnd = std::get_if<csta::GetDoNotDisturb>(&request)) {
    if (!internal(gdnd->device))
      response = err("operation", "invalidDeviceID");
    else
      response = csta::GetDoNotDisturbResponse{features_[gdnd->device].dnd};
  } else if (auto* g = std::get_if<csta::GenerateDigits>(&request)) {
    Call* call = nullptr;
    Party* party = nullptr;
    if (auto e = locate(g->connection_to_send_digits, &call, &party))
      response = *e;
    else if (party->state != "connected")
      response = err("stateIncompatibility", "invalidConnectionState");
    else
      response = csta::GenerateDigitsResponse{};
  }
  out.push_back(Out{session, invoke_id, std::move(response)});
  for (auto& e : events)
    out.push_back(std::move(e));
}

csta::Body World::snapshot(const csta::SnapshotDevice& r) const {
  if (const auto* d = phone(r.snapshot_object)) {
    // A device by name: the registration question per device (a shared line's DN cannot
    // answer it). Its calls: those on its lines that it carries (answered or originated there)
    // or that ring every device of the line (not answered yet).
    if (!registered(*d)) return err("systemResourceAvailability", "resourceOutOfService");
    csta::SnapshotDeviceResponse resp;
    for (const auto& [id, c] : calls_)
      for (const auto& p : c.parties)
        if ((p.phone == d->name ||
             (p.phone.empty() && (p.state == "alerting" || !shared(p.device)))) &&
            std::any_of(d->lines.begin(), d->lines.end(),
                        [&](const directory::Line& l) { return l.dn == p.device; }))
          resp.calls.push_back({{id, p.device}, p.state});
    return resp;
  }
  if (!internal(r.snapshot_object)) return err("operation", "invalidDeviceID");
  // As a call manager answers for a line whose devices are all unregistered (docs/protocol.md,
  // "What the troubleshooter relies on"): the registration question asked over CTI.
  if (!reachable(r.snapshot_object))
    return err("systemResourceAvailability", "resourceOutOfService");
  csta::SnapshotDeviceResponse resp;
  for (const auto& [id, c] : calls_)
    for (const auto& p : c.parties)
      if (p.device == r.snapshot_object) resp.calls.push_back({{id, p.device}, p.state});
  return resp;
}

csta::Body World::make_call(const csta::MakeCall& r, std::vector<Out>& out) {
  // From a DN (the line: the call manager picks its device) or from a device by name (that
  // device, on its first line).
  const auto* from_phone = phone(r.calling_device);
  const std::string from = from_phone ? from_phone->lines.front().dn : r.calling_device;
  if (!internal(from)) return err("operation", "invalidCallingDevice");
  if (from_phone ? !registered(*from_phone) : !reachable(from))
    return err("systemResourceAvailability", "resourceOutOfService");
  if (r.called_directory_number.empty()) return err("operation", "invalidCalledDevice");
  Call& call = calls_[std::to_string(next_call_)];
  call.id = new_call_id();
  call.calling = from;
  call.called = r.called_directory_number;
  originate(call, from, "makeCall", out);
  if (Party* p = call.party(from))
    p->phone = from_phone ? from_phone->name : (shared(from) ? first_registered(from) : "");
  deliver(call, r.called_directory_number, "newCall", "", out);
  return csta::MakeCallResponse{{call.id, from}};
}

csta::Body World::answer_call(const csta::AnswerCall& r, std::vector<Out>& out) {
  Call* call = nullptr;
  Party* party = nullptr;
  // The connection names the line (the call manager picks the device: its first registered
  // one) or a device by name on the line (that device answers).
  ConnectionId c = r.call_to_be_answered;
  const auto* by = phone(c.device_id);
  if (by) {
    Call* found = find_call(c.call_id);
    if (!found) return err("operation", "invalidCallID");
    for (const auto& l : by->lines)
      if (found->party(l.dn)) c.device_id = l.dn;
    if (c.device_id == by->name) return err("operation", "invalidConnectionID");
    if (!registered(*by)) return err("systemResourceAvailability", "resourceOutOfService");
  }
  if (auto e = locate(c, &call, &party)) return *e;
  if (party->state != "alerting") return err("stateIncompatibility", "invalidConnectionState");
  party->state = "connected";
  const std::string dev = party->device;
  if (shared(dev)) party->phone = by ? by->name : first_registered(dev);
  // On a shared line the answering device is the device that answered, by name: the line's
  // monitor learns where the user is. One device on the line: the line itself, as before.
  const std::string answering = party->phone.empty() ? dev : party->phone;
  emit(*call, out, [&](const std::string& x, const std::string& lci) {
    return csta::EstablishedEvent{x,
                                  {call->id, dev},
                                  DeviceRef::of(answering),
                                  DeviceRef::of(call->calling),
                                  DeviceRef::of(call->called),
                                  DeviceRef{DeviceRef::Kind::not_required, {}},
                                  lci,
                                  std::string("newCall")};
  });
  return csta::AnswerCallResponse{};
}

csta::Body World::clear_connection(const csta::ClearConnection& r, std::vector<Out>& out) {
  Call* call = nullptr;
  Party* party = nullptr;
  if (auto e = locate(r.connection_to_be_cleared, &call, &party)) return *e;
  clear_party(*call, party->device, out);
  return csta::ClearConnectionResponse{};
}

csta::Body World::hold_call(const csta::HoldCall& r, std::vector<Out>& out) {
  Call* call = nullptr;
  Party* party = nullptr;
  if (auto e = locate(r.call_to_be_held, &call, &party)) return *e;
  if (party->state != "connected") return err("stateIncompatibility", "invalidConnectionState");
  party->state = "hold";
  const std::string dev = party->device;
  emit(*call, out, [&](const std::string& x, const std::string& lci) {
    return csta::HeldEvent{x, {call->id, dev}, DeviceRef::of(dev), lci, std::string("normal")};
  });
  return csta::HoldCallResponse{};
}

csta::Body World::retrieve_call(const csta::RetrieveCall& r, std::vector<Out>& out) {
  Call* call = nullptr;
  Party* party = nullptr;
  if (auto e = locate(r.call_to_be_retrieved, &call, &party)) return *e;
  if (party->state != "hold") return err("stateIncompatibility", "invalidConnectionState");
  party->state = "connected";
  const std::string dev = party->device;
  emit(*call, out, [&](const std::string& x, const std::string& lci) {
    return csta::RetrievedEvent{x, {call->id, dev}, DeviceRef::of(dev), lci, std::string("normal")};
  });
  return csta::RetrieveCallResponse{};
}

csta::Body World::consultation_call(const csta::ConsultationCall& r, std::vector<Out>& out) {
  Call* call = nullptr;
  Party* party = nullptr;
  if (auto e = locate(r.existing_call, &call, &party)) return *e;
  if (party->state != "connected") return err("stateIncompatibility", "invalidConnectionState");
  if (r.consulted_device.empty()) return err("operation", "invalidCalledDevice");
  // "Hold Call followed by Make Call" (docs/protocol.md).
  party->state = "hold";
  const std::string dev = party->device;
  emit(*call, out, [&](const std::string& x, const std::string& lci) {
    return csta::HeldEvent{
        x, {call->id, dev}, DeviceRef::of(dev), lci, std::string("consultation")};
  });
  Call& consult = calls_[std::to_string(next_call_)];
  consult.id = new_call_id();
  consult.calling = dev;
  consult.called = r.consulted_device;
  originate(consult, dev, "consultation", out);
  deliver(consult, r.consulted_device, "newCall", "", out);
  return csta::ConsultationCallResponse{{consult.id, dev}};
}

csta::Body World::transfer_call(const csta::TransferCall& r, std::vector<Out>& out) {
  Call *held = nullptr, *active = nullptr;
  Party *hp = nullptr, *ap = nullptr;
  if (auto e = locate(r.held_call, &held, &hp)) return *e;
  if (auto e = locate(r.active_call, &active, &ap)) return *e;
  if (held == active || hp->device != ap->device) return err("operation", "invalidCallID");
  if (hp->state != "hold") return err("stateIncompatibility", "invalidConnectionState");
  const std::string a = hp->device;
  // The consultation (active) call survives and takes the held call's other parties; the held
  // call's ID is invalid afterwards (docs/protocol.md, simulator tip).
  std::vector<csta::ConnectionListItem> moved;
  for (const auto& p : held->parties) {
    if (p.device == a) continue;
    active->parties.push_back(p);
    moved.push_back(
        {ConnectionId{active->id, p.device}, ConnectionId{held->id, p.device}, p.device});
  }
  for (const auto& p : active->parties) {
    if (p.device == a || std::any_of(moved.begin(), moved.end(),
                                     [&](const auto& m) { return m.endpoint == p.device; }))
      continue;
    moved.push_back(
        {ConnectionId{active->id, p.device}, ConnectionId{active->id, p.device}, p.device});
  }
  std::string to = active->called;
  active->parties.erase(std::remove_if(active->parties.begin(), active->parties.end(),
                                       [&](const Party& p) { return p.device == a; }),
                        active->parties.end());
  const ConnectionId primary{held->id, a}, secondary{active->id, a};
  emit(*active, out,
       [&](const std::string& x, const std::string& lci) {
         return csta::TransferedEvent{x,
                                      primary,
                                      secondary,
                                      DeviceRef::of(a),
                                      DeviceRef::of(to),
                                      moved,
                                      lci,
                                      std::string("transfer")};
       },
       {a});
  erase_call(held->id);
  return csta::TransferCallResponse{{secondary.call_id, ""}};
}

// Alternate and Reconnect are Hold + Retrieve and Clear + Retrieve at one device, with their
// events; the held call is checked first so that a refused request changes nothing.
std::optional<csta::CSTAErrorCode> World::check_pair(const ConnectionId& held,
                                                     const ConnectionId& active) {
  Call *hc = nullptr, *ac = nullptr;
  Party *hp = nullptr, *ap = nullptr;
  if (auto e = locate(held, &hc, &hp)) return e;
  if (auto e = locate(active, &ac, &ap)) return e;
  if (hc == ac || hp->device != ap->device) return err("operation", "invalidCallID");
  if (hp->state != "hold" || ap->state != "connected")
    return err("stateIncompatibility", "invalidConnectionState");
  return std::nullopt;
}

csta::Body World::alternate_call(const csta::AlternateCall& r, std::vector<Out>& out) {
  if (auto e = check_pair(r.held_call, r.active_call)) return *e;
  (void)hold_call(csta::HoldCall{r.active_call}, out);
  (void)retrieve_call(csta::RetrieveCall{r.held_call}, out);
  return csta::AlternateCallResponse{};
}

csta::Body World::reconnect_call(const csta::ReconnectCall& r, std::vector<Out>& out) {
  if (auto e = check_pair(r.held_call, r.active_call)) return *e;
  (void)clear_connection(csta::ClearConnection{r.active_call}, out);
  (void)retrieve_call(csta::RetrieveCall{r.held_call}, out);
  return csta::ReconnectCallResponse{};
}

csta::Body World::conference_call(const csta::ConferenceCall& r, std::vector<Out>& out) {
  Call *held = nullptr, *active = nullptr;
  Party *hp = nullptr, *ap = nullptr;
  if (auto e = locate(r.held_call, &held, &hp)) return *e;
  if (auto e = locate(r.active_call, &active, &ap)) return *e;
  if (held == active || hp->device != ap->device) return err("operation", "invalidCallID");
  if (hp->state != "hold" || ap->state != "connected")
    return err("stateIncompatibility", "invalidConnectionState");
  const std::string a = hp->device;
  // The held (primary) call becomes the conference; the consultation call's ID is invalid.
  hp->state = "connected";
  std::vector<csta::ConnectionListItem> conns;
  std::string added;
  for (const auto& p : active->parties) {
    if (p.device == a) continue;
    held->parties.push_back(p);
    added = p.device;
  }
  for (const auto& p : held->parties) {
    const bool from_active = active->party(p.device) != nullptr && p.device != a;
    conns.push_back({ConnectionId{held->id, p.device},
                     ConnectionId{from_active ? active->id : held->id, p.device}, p.device});
  }
  const ConnectionId primary{held->id, a}, secondary{active->id, a};
  const std::string conf_id = held->id;
  erase_call(active->id);
  Call& conf = calls_[conf_id];
  emit(conf, out, [&](const std::string& x, const std::string& lci) {
    return csta::ConferencedEvent{x,
                                  primary,
                                  secondary,
                                  DeviceRef::of(a),
                                  DeviceRef::of(added),
                                  conns,
                                  lci,
                                  std::string("conference")};
  });
  return csta::ConferenceCallResponse{{conf_id, a}, conns};
}

csta::Body World::single_step_transfer(const csta::SingleStepTransferCall& r,
                                       std::vector<Out>& out) {
  Call* call = nullptr;
  Party* party = nullptr;
  if (auto e = locate(r.active_call, &call, &party)) return *e;
  if (party->state != "connected" || call->parties.size() != 2)
    return err("stateIncompatibility", "invalidConnectionState");
  if (r.transferred_to.empty()) return err("operation", "invalidDestinationDeviceID");
  const std::string a = party->device;
  call->parties.erase(std::remove_if(call->parties.begin(), call->parties.end(),
                                     [&](const Party& p) { return p.device == a; }),
                      call->parties.end());
  std::vector<csta::ConnectionListItem> conns;
  for (const auto& p : call->parties)
    conns.push_back({ConnectionId{call->id, p.device}, ConnectionId{call->id, p.device}, p.device});
  conns.push_back({ConnectionId{call->id, r.transferred_to}, std::nullopt, r.transferred_to});
  const ConnectionId primary{call->id, a};
  emit(*call, out,
       [&](const std::string& x, const std::string& lci) {
         return csta::TransferedEvent{x,
                                      primary,
                                      std::nullopt,
                                      DeviceRef::of(a),
                                      DeviceRef::of(r.transferred_to),
                                      conns,
                                      lci,
                                      std::string("singleStepTransfer")};
       },
       {a, r.transferred_to});
  // The remaining party is now the caller of the transferred leg.
  call->calling = call->parties.front().device;
  call->called = r.transferred_to;
  deliver(*call, r.transferred_to, "singleStepTransfer", a, out);
  return csta::SingleStepTransferCallResponse{{call->id, r.transferred_to}};
}

csta::Body World::deflect_call(const csta::DeflectCall& r, std::vector<Out>& out) {
  Call* call = nullptr;
  Party* party = nullptr;
  if (auto e = locate(r.call_to_be_diverted, &call, &party)) return *e;
  if (party->state != "alerting") return err("stateIncompatibility", "invalidConnectionState");
  if (r.new_destination.empty()) return err("operation", "invalidDestinationDeviceID");
  const std::string b = party->device;
  call->parties.erase(std::remove_if(call->parties.begin(), call->parties.end(),
                                     [&](const Party& p) { return p.device == b; }),
                      call->parties.end());
  emit(*call, out,
       [&](const std::string& x, const std::string& lci) {
         return csta::DivertedEvent{x,
                                    {call->id, b},
                                    DeviceRef::of(b),
                                    DeviceRef::of(r.new_destination),
                                    DeviceRef::of(call->calling),
                                    DeviceRef::of(call->called),
                                    DeviceRef{DeviceRef::Kind::not_required, {}},
                                    lci,
                                    std::string("redirected")};
       },
       {b});
  deliver(*call, r.new_destination, "redirected", b, out);
  return csta::DeflectCallResponse{};
}

csta::Body World::set_forwarding(const csta::SetForwarding& r, std::vector<Out>& out) {
  if (!internal(r.device)) return err("operation", "invalidDeviceID");
  static const char* kTypes[] = {"forwardImmediate", "forwardBusy",     "forwardNoAns",
                                 "forwardDND",       "forwardBusyInt",  "forwardBusyExt",
                                 "forwardNoAnsInt",  "forwardNoAnsExt", "forwardImmInt",
                                 "forwardImmExt",    "forwardDNDInt",   "forwardDNDExt"};
  if (std::none_of(std::begin(kTypes), std::end(kTypes),
                   [&](const char* t) { return r.forwarding_type == t; }))
    return err("operation", "invalidForwardingType");
  if (r.activate_forward && r.forward_dn.value_or("").empty())
    return err("operation", "invalidForwardingDestination");
  auto& fw = features_[r.device].forwards[r.forwarding_type];
  fw = {r.activate_forward, r.forward_dn.value_or("")};
  emit_device(r.device, out, [&](const std::string& x) {
    return csta::ForwardingEvent{x,
                                 DeviceRef::of(r.device),
                                 r.forwarding_type,
                                 r.activate_forward,
                                 r.activate_forward ? r.forward_dn : std::nullopt,
                                 std::nullopt};
  });
  return csta::SetForwardingResponse{};
}

csta::Body World::set_dnd(const csta::SetDoNotDisturb& r, std::vector<Out>& out) {
  if (!internal(r.device)) return err("operation", "invalidDeviceID");
  features_[r.device].dnd = r.do_not_disturb_on;
  emit_device(r.device, out, [&](const std::string& x) {
    return csta::DoNotDisturbEvent{x, DeviceRef::of(r.device), r.do_not_disturb_on};
  });
  return csta::SetDoNotDisturbResponse{};
}

Result<std::string> World::incoming_call(const std::string& from, const std::string& to,
                                         std::vector<Out>& out) {
  if (from.empty() || to.empty())
    return Error(rcc::Errc::invalid_argument, "call FROM TO: both numbers are needed");
  if (!internal(to)) return Error(rcc::Errc::invalid_argument, "'" + to + "' is not a known DN");
  Call& call = calls_[std::to_string(next_call_)];
  call.id = new_call_id();
  call.calling = from;
  call.called = to;
  if (internal(from)) {
    // A phone dialled by hand: cause newCall (docs/protocol.md).
    originate(call, from, "newCall", out);
  } else {
    call.parties.push_back(Party{from, "connected", {}});
  }
  deliver(call, to, "newCall", "", out);
  return call.id;
}

Result<void> World::answer(const std::string& device, std::vector<Out>& out) {
  const auto* by = phone(device);  // a phone picked up by name: its lines' ringing call
  for (auto& [id, call] : calls_) {
    if (by) {
      for (const auto& l : by->lines)
        if (Party* p = call.party(l.dn); p && p->state == "alerting") {
          const csta::Body r = answer_call(csta::AnswerCall{{id, device}}, out);
          if (const auto* e = std::get_if<CSTAErrorCode>(&r))
            return Error(rcc::Errc::invalid_argument,
                         "'" + device + "' cannot answer: " + e->value);
          return {};
        }
      continue;
    }
    if (Party* p = call.party(device); p && p->state == "alerting") {
      (void)answer_call(csta::AnswerCall{{id, device}}, out);
      return {};
    }
  }
  return Error(rcc::Errc::invalid_argument, "'" + device + "' has no ringing call");
}

Result<void> World::hangup(const std::string& device, std::vector<Out>& out) {
  for (auto& [id, call] : calls_) {
    if (call.party(device)) {
      clear_party(call, device, out);
      return {};
    }
  }
  return Error(rcc::Errc::invalid_argument, "'" + device + "' is in no call");
}

Result<void> World::set_registered(const std::string& device_name, bool registered) {
  if (!directory_.device(device_name))
    return Error(rcc::Errc::invalid_argument, "no device '" + device_name + "'");
  registered_override_[device_name] = registered ? "1" : "0";
  return {};
}

}  // namespace rcc::ctisim
