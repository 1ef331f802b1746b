#include "csta/codec.h"

#include <cstring>
#include <optional>
#include <unordered_map>
#include <utility>

#include "util/text.h"

namespace rcc::csta {

std::string_view namespace_uri(Namespace ns) {
  switch (ns) {
    case Namespace::ed3:
      return "http://www.ecma-international.org/standards/ecma-323/csta/ed3";
    case Namespace::ed4:
      return "http://www.ecma-international.org/standards/ecma-323/csta/ed4";
    case Namespace::ed5:
      return "http://www.ecma-international.org/standards/ecma-323/csta/ed5";
  }
  return {};
}

std::optional<Namespace> namespace_from_uri(std::string_view uri) {
  for (const Namespace ns : {Namespace::ed3, Namespace::ed4, Namespace::ed5}) {
    if (uri == namespace_uri(ns)) return ns;
  }
  return std::nullopt;
}

namespace {

constexpr std::string_view kAvayaNamespace = "http://www.avaya.com/csta";
constexpr std::string_view kEd2Namespace = "http://www.ecma.ch/standards/ecma-323/csta/ed2";
constexpr std::string_view kXsiNamespace = "http://www.w3.org/2001/XMLSchema-instance";

bool name_is(const xmlNode* n, std::string_view name) {
  const char* s = reinterpret_cast<const char*>(n->name);
  return std::strncmp(s, name.data(), name.size()) == 0 && s[name.size()] == '\0';
}

// XML white space (XML 1.0 §2.3).
std::string_view trim(std::string_view s) {
  return util::trim(s, " \t\r\n");
}

// xsd:boolean (ECMA-323 uses it for every flag): true, false, 1, 0, with collapsed whitespace.
std::optional<bool> parse_bool(std::string_view text) {
  text = trim(text);
  if (text == "true" || text == "1") return true;
  if (text == "false" || text == "0") return false;
  return std::nullopt;
}

std::optional<unsigned> parse_unsigned(std::string_view text) {
  text = trim(text);
  if (text.empty() || text.size() > 10) return std::nullopt;
  unsigned long long v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + unsigned(c - '0');
  }
  if (v > 0xFFFFFFFFull) return std::nullopt;
  return static_cast<unsigned>(v);
}

/// Reads the children of one element into a message's fields (see fields() in services.h).
/// The first problem is kept in `err`; later calls then do nothing.
class Decoder {
 public:
  Decoder(const xmlNode* parent, std::optional<Error>& err) : parent_(parent), err_(err) {}

  void operator()(std::string_view name, std::string& out) {
    if (const xmlNode* n = need(name)) out = text_of(n);
  }
  void operator()(std::string_view name, std::optional<std::string>& out) {
    if (const xmlNode* n = find(name)) out = text_of(n);
  }
  void operator()(std::string_view name, bool& out) {
    if (const xmlNode* n = need(name)) read_bool(n, out);
  }
  void operator()(std::string_view name, std::optional<bool>& out) {
    if (const xmlNode* n = find(name)) read_bool(n, out.emplace());
  }
  void operator()(std::string_view name, std::optional<unsigned>& out) {
    if (const xmlNode* n = find(name)) {
      if (auto v = parse_unsigned(text_of(n))) {
        out = *v;
      } else {
        invalid(n, "not an unsigned number");
      }
    }
  }
  void operator()(std::string_view name, ConnectionId& out) {
    if (const xmlNode* n = need(name)) read_connection(n, out);
  }
  void operator()(std::string_view name, std::optional<ConnectionId>& out) {
    if (const xmlNode* n = find(name)) read_connection(n, out.emplace());
  }
  void operator()(std::string_view name, DeviceRef& out) {
    if (const xmlNode* n = need(name)) read_device(n, out);
  }
  void operator()(std::string_view name, std::optional<DeviceRef>& out) {
    if (const xmlNode* n = find(name)) read_device(n, out.emplace());
  }
  template <class T>
  void operator()(std::string_view name, std::optional<T>& out) {
    if (const xmlNode* n = find(name)) nested(n, out.emplace());
  }
  template <class T>
  void operator()(std::string_view name, T& out) {
    if (const xmlNode* n = need(name)) nested(n, out);
  }

  template <class T>
  void list(std::string_view container, std::string_view item, std::vector<T>& out, Req req) {
    const xmlNode* c = req == Req::required ? need(container) : find(container);
    if (c == nullptr) return;
    for (const xmlNode* i = first_element(c); i != nullptr && !err_; i = next_element(i)) {
      if (name_is(i, item)) nested(i, out.emplace_back());
    }
  }
  void text_list(std::string_view container, std::string_view item, std::vector<std::string>& out) {
    const xmlNode* c = find(container);
    if (c == nullptr) return;
    for (const xmlNode* i = first_element(c); i != nullptr; i = next_element(i)) {
      if (name_is(i, item)) out.push_back(text_of(i));
    }
  }
  template <class F>
  void group(std::string_view name, Req req, F&& fn) {
    const xmlNode* n = req == Req::required ? need(name) : find(name);
    if (n == nullptr) return;
    Decoder sub(n, err_);
    fn(sub);
  }

  // extensions/privateData/private/lcs:line (docs/protocol.md); absent anywhere on the way = none.
  void private_line(std::optional<std::string>& out) {
    const xmlNode* n = find("extensions");
    for (const char* step : {"privateData", "private", "line"}) {
      if (n == nullptr) return;
      n = child_element(n, step);
    }
    if (n != nullptr) out = text_of(n);
  }
  void device_or_wrapped(std::string_view name, std::string& out) {
    const xmlNode* n = need(name);
    if (n == nullptr) return;
    const xmlNode* inner = child_element(n, "device");
    if (inner == nullptr) inner = child_element(n, "deviceIdentifier");
    out = text_of(inner != nullptr ? inner : n);
  }
  void features(std::string_view name, std::vector<FeatureGroup>& out, Req req) {
    const xmlNode* n = req == Req::required ? need(name) : find(name);
    if (n == nullptr) return;
    for (const xmlNode* g = first_element(n); g != nullptr && !err_; g = next_element(g)) {
      FeatureGroup& group = out.emplace_back();
      group.name = std::string(local_name(g));
      for (const xmlNode* f = first_element(g); f != nullptr && !err_; f = next_element(f)) {
        auto& feature = group.features.emplace_back();
        feature.name = std::string(local_name(f));
        read_bool(f, feature.supported);
      }
    }
  }
  // The parent holds exactly one element: its name is the choice, its text the value.
  void choice_text(std::string& name, std::string& value) {
    if (err_) return;
    const xmlNode* n = first_element(parent_);
    if (n == nullptr) {
      fail(Errc::missing_field, "<" + std::string(local_name(parent_)) + "> has no child");
      return;
    }
    if (next_element(n) != nullptr) {
      return invalid(parent_, "more than one choice");
    }
    name = std::string(local_name(n));
    value = text_of(n);
  }
  // applicationSpecificInfo: Avaya's SessionLoginInfo, or userName/password directly.
  void login(std::optional<SessionLogin>& out) {
    const xmlNode* info = find("applicationSpecificInfo");
    if (info == nullptr) return;
    SessionLogin& l = out.emplace();
    const xmlNode* avaya = child_element(info, "SessionLoginInfo");
    l.avaya = avaya != nullptr;
    Decoder sub(avaya != nullptr ? avaya : info, err_);
    sub("userName", l.user_name);
    sub("password", l.password);
    if (l.avaya) {
      sub("sessionCleanupDelay", l.session_cleanup_delay);
      sub("sessionID", l.session_id);
    }
  }

 private:
  // Children are usually in schema order: search on from the last match, then wrap around.
  const xmlNode* find(std::string_view name) {
    if (err_) return nullptr;
    for (const xmlNode* c = cursor_ != nullptr ? cursor_ : first_element(parent_); c != nullptr;
         c = next_element(c)) {
      if (name_is(c, name)) {
        cursor_ = next_element(c);
        return c;
      }
    }
    for (const xmlNode* c = first_element(parent_); c != nullptr && c != cursor_;
         c = next_element(c)) {
      if (name_is(c, name)) {
        cursor_ = next_element(c);
        return c;
      }
    }
    return nullptr;
  }
  const xmlNode* need(std::string_view name) {
    const xmlNode* n = find(name);
    if (n == nullptr && !err_) {
      fail(Errc::missing_field,
           "<" + std::string(local_name(parent_)) + "> lacks <" + std::string(name) + ">");
    }
    return n;
  }
  template <class T>
  void nested(const xmlNode* n, T& out) {
    Decoder sub(n, err_);
    T::fields(out, sub);
  }
  void read_bool(const xmlNode* n, bool& out) {
    if (auto v = parse_bool(text_of(n))) {
      out = *v;
    } else {
      invalid(n, "not a boolean");
    }
  }
  void read_connection(const xmlNode* n, ConnectionId& out) {
    Decoder sub(n, err_);
    std::optional<std::string> call, device;
    sub("callID", call);
    sub("deviceID", device);
    // Empty means absent, as in ConnectionId itself: otherwise <callID/> alone would decode but
    // be written back as an empty wrapper that does not.
    if (call && call->empty()) call.reset();
    if (device && device->empty()) device.reset();
    if (!call && !device) {
      fail(Errc::missing_field,
           "<" + std::string(local_name(n)) + "> has neither <callID> nor <deviceID>");
      return;
    }
    out.call_id = call.value_or(std::string());
    out.device_id = device.value_or(std::string());
  }
  void read_device(const xmlNode* n, DeviceRef& out) {
    const xmlNode* c = first_element(n);
    if (c == nullptr) {
      // Some peers write the identifier as plain text; take it.
      std::string text = text_of(n);
      if (trim(text).empty()) {
        fail(Errc::missing_field, "<" + std::string(local_name(n)) + "> names no device");
        return;
      }
      out = DeviceRef::of(std::move(text));
    } else if (name_is(c, "deviceIdentifier")) {
      out = DeviceRef::of(text_of(c));
    } else if (name_is(c, "notKnown")) {
      out = {DeviceRef::Kind::not_known, {}};
    } else if (name_is(c, "restricted")) {
      out = {DeviceRef::Kind::restricted, {}};
    } else if (name_is(c, "notRequired")) {
      out = {DeviceRef::Kind::not_required, {}};
    } else {
      invalid(n, "unknown device form <" + std::string(local_name(c)) + ">");
    }
  }
  void invalid(const xmlNode* n, const std::string& why) {
    fail(Errc::invalid_value, "<" + std::string(local_name(n)) + ">: " + why);
  }
  void fail(Errc e, std::string detail) {
    if (!err_) err_.emplace(e, std::move(detail));
  }

  const xmlNode* parent_;
  const xmlNode* cursor_ = nullptr;
  std::optional<Error>& err_;
};

/// Writes a message's fields; the mirror of Decoder.
class Encoder {
 public:
  explicit Encoder(XmlWriter& w) : w_(w) {}

  void operator()(std::string_view name, const std::string& v) { w_.element(name, v); }
  void operator()(std::string_view name, const std::optional<std::string>& v) {
    if (v) w_.element(name, *v);
  }
  void operator()(std::string_view name, bool v) { w_.element(name, v ? "true" : "false"); }
  void operator()(std::string_view name, const std::optional<bool>& v) {
    if (v) (*this)(name, *v);
  }
  void operator()(std::string_view name, const std::optional<unsigned>& v) {
    if (v) w_.element(name, std::to_string(*v));
  }
  void operator()(std::string_view name, const ConnectionId& v) {
    w_.start(name);
    if (!v.call_id.empty()) w_.element("callID", v.call_id);
    if (!v.device_id.empty()) w_.element("deviceID", v.device_id);
    w_.end();
  }
  void operator()(std::string_view name, const std::optional<ConnectionId>& v) {
    if (v) (*this)(name, *v);
  }
  void operator()(std::string_view name, const DeviceRef& v) {
    w_.start(name);
    switch (v.kind) {
      case DeviceRef::Kind::identifier:
        w_.element("deviceIdentifier", v.id);
        break;
      case DeviceRef::Kind::not_known:
        w_.start("notKnown");
        w_.end();
        break;
      case DeviceRef::Kind::restricted:
        w_.start("restricted");
        w_.end();
        break;
      case DeviceRef::Kind::not_required:
        w_.start("notRequired");
        w_.end();
        break;
    }
    w_.end();
  }
  void operator()(std::string_view name, const std::optional<DeviceRef>& v) {
    if (v) (*this)(name, *v);
  }
  template <class T>
  void operator()(std::string_view name, const std::optional<T>& v) {
    if (v) (*this)(name, *v);
  }
  template <class T>
  void operator()(std::string_view name, const T& v) {
    w_.start(name);
    T::fields(v, *this);
    w_.end();
  }

  template <class T>
  void list(std::string_view container, std::string_view item, const std::vector<T>& v, Req req) {
    if (req == Req::optional && v.empty()) return;
    w_.start(container);
    for (const T& i : v)
      (*this)(item, i);
    w_.end();
  }
  void text_list(std::string_view container, std::string_view item,
                 const std::vector<std::string>& v) {
    w_.start(container);
    for (const auto& s : v)
      w_.element(item, s);
    w_.end();
  }
  template <class F>
  void group(std::string_view name, Req, F&& fn) {
    w_.start(name);
    fn(*this);
    w_.end();
  }
  void private_line(const std::optional<std::string>& line) {
    if (!line) return;
    w_.start("extensions");
    w_.start("privateData");
    w_.start("private");
    w_.start("lcs:line");
    w_.attribute("xmlns:lcs", kRccExtensionNamespace);
    w_.text(*line);
    w_.end();
    w_.end();
    w_.end();
    w_.end();
  }
  void device_or_wrapped(std::string_view name, const std::string& v) { w_.element(name, v); }
  void features(std::string_view name, const std::vector<FeatureGroup>& groups, Req req) {
    if (req == Req::optional && groups.empty()) return;
    w_.start(name);
    for (const auto& g : groups) {
      w_.start(g.name);
      for (const auto& f : g.features)
        (*this)(f.name, f.supported);
      w_.end();
    }
    w_.end();
  }
  void choice_text(const std::string& name, const std::string& value) { w_.element(name, value); }
  void login(const std::optional<SessionLogin>& l) {
    if (!l) return;
    w_.start("applicationSpecificInfo");
    if (l->avaya) {
      w_.start("acx:SessionLoginInfo");
      w_.attribute("xmlns:acx", kAvayaNamespace);
      w_.attribute("xmlns:xsi", kXsiNamespace);
      w_.attribute("xsi:type", "acx:SessionLoginInfo");
      w_.element("acx:userName", l->user_name);
      w_.element("acx:password", l->password);
      if (l->session_cleanup_delay) {
        w_.element("acx:sessionCleanupDelay", std::to_string(*l->session_cleanup_delay));
      }
      if (l->session_id) w_.element("acx:sessionID", *l->session_id);
      w_.end();
    } else {
      w_.element("userName", l->user_name);
      w_.element("password", l->password);
    }
    w_.end();
  }

 private:
  XmlWriter& w_;
};

using DecodeFn = void (*)(const xmlNode*, Body&, std::optional<Error>&);

struct Entry {
  DecodeFn fn;
  bool session;
};

template <class T>
void decode_as(const xmlNode* root, Body& body, std::optional<Error>& err) {
  T& value = body.emplace<T>();
  Decoder d(root, err);
  T::fields(value, d);
}

template <std::size_t... I>
std::unordered_map<std::string_view, Entry> make_table(std::index_sequence<I...>) {
  std::unordered_map<std::string_view, Entry> table;
  (table.emplace(std::variant_alternative_t<I, Body>::kElement,
                 Entry{&decode_as<std::variant_alternative_t<I, Body>>,
                       is_session_message_v<std::variant_alternative_t<I, Body>>}),
   ...);
  // ECMA-269 prose spells it with two r's; some peers do too (docs/protocol.md).
  table.emplace("TransferredEvent", Entry{&decode_as<TransferedEvent>, false});
  return table;
}

const std::unordered_map<std::string_view, Entry>& table() {
  static const auto t = make_table(std::make_index_sequence<std::variant_size_v<Body>>());
  return t;
}

}  // namespace

Result<Message> decode(std::string_view xml, const Limits& limits) {
  return decode(xml, limits, DecodeOptions{});
}

Result<Message> decode(std::string_view xml, const Limits& limits, const DecodeOptions& options) {
  auto doc = parse_xml(xml, limits);
  if (!doc) return doc.error();
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  const std::string_view name = local_name(root);
  const auto it = table().find(name);
  if (it == table().end()) {
    return Error(Errc::unknown_message, "unknown root element <" + std::string(name) + ">");
  }
  Message m;
  const std::string_view uri = namespace_uri(root);
  if (options.lenient_namespace && uri.empty()) {
    m.ns = Namespace::ed3;  // unqualified elements: some switches write them (docs/protocol.md)
  } else if (options.lenient_namespace && !it->second.session && uri == kEd2Namespace) {
    m.ns = Namespace::ed3;  // the old ed2 namespace: answered in ed3, the closest edition written
  } else if (it->second.session) {
    if (uri != kApplicationSessionNamespace) {
      return Error(Errc::unknown_namespace, "<" + std::string(name) + "> in namespace '" +
                                                std::string(uri) + "', expected ECMA-354");
    }
  } else if (auto ns = namespace_from_uri(uri)) {
    m.ns = *ns;
  } else {
    return Error(Errc::unknown_namespace,
                 "<" + std::string(name) + "> in namespace '" + std::string(uri) + "'");
  }
  std::optional<Error> err;
  it->second.fn(root, m.body, err);
  if (err) return std::move(*err);
  return m;
}

std::string encode(const Message& m, Namespace ns, const EncodeOptions& options) {
  XmlWriter w(options.xml_declaration);
  std::visit(
      [&](const auto& v) {
        using T = std::decay_t<decltype(v)>;
        w.start(T::kElement);
        w.attribute("xmlns",
                    is_session_message_v<T> ? kApplicationSessionNamespace : namespace_uri(ns));
        Encoder e(w);
        T::fields(v, e);
      },
      m.body);
  return w.finish();
}

std::string encode(const Message& m, const EncodeOptions& options) {
  return encode(m, m.ns, options);
}

std::string_view element_name(const Body& body) {
  return std::visit([](const auto& v) { return std::decay_t<decltype(v)>::kElement; }, body);
}

}  // namespace rcc::csta
