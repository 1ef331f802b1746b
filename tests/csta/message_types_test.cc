// Every message type of the codec, with every field filled, survives encode -> decode -> encode
// in every edition: nothing is dropped, renamed or reordered on the way back.
#include <catch2/catch.hpp>

#include <algorithm>
#include <utility>
#include <vector>

#include "csta/codec.h"

using namespace rcc::csta;

namespace {

/// Fills every field of a message through the same fields() lists the codec uses.
class Filler {
 public:
  void operator()(std::string_view name, std::string& v) { v = value(name); }
  void operator()(std::string_view name, std::optional<std::string>& v) { v = value(name); }
  void operator()(std::string_view, bool& v) { v = true; }
  void operator()(std::string_view, std::optional<bool>& v) { v = false; }
  void operator()(std::string_view, std::optional<unsigned>& v) { v = ++n_; }
  void operator()(std::string_view name, ConnectionId& v) {
    v = {value(name) + "-call", value(name) + "-device"};
  }
  void operator()(std::string_view name, std::optional<ConnectionId>& v) {
    (*this)(name, v.emplace());
  }
  void operator()(std::string_view name, DeviceRef& v) {
    const int kind = ++n_ % 4;
    v = kind == 0 ? DeviceRef::of(value(name)) : DeviceRef{DeviceRef::Kind(kind), {}};
  }
  void operator()(std::string_view name, std::optional<DeviceRef>& v) {
    v = DeviceRef::of(value(name));
  }
  template <class T>
  void operator()(std::string_view, std::optional<T>& v) {
    T::fields(v.emplace(), *this);
  }
  template <class T>
  void operator()(std::string_view, T& v) {
    T::fields(v, *this);
  }
  template <class T>
  void list(std::string_view, std::string_view, std::vector<T>& v, Req) {
    for (int i = 0; i < 2; ++i)
      T::fields(v.emplace_back(), *this);
  }
  void text_list(std::string_view, std::string_view item, std::vector<std::string>& v) {
    v = {value(item), value(item) + "2"};
  }
  template <class F>
  void group(std::string_view, Req, F&& fn) {
    fn(*this);
  }
  void private_line(std::optional<std::string>& v) { v = "tel:73124;phone-context=dialstring"; }
  void device_or_wrapped(std::string_view name, std::string& v) { v = value(name); }
  void features(std::string_view, std::vector<FeatureGroup>& v, Req) {
    v = {{"callControlServ", {{"makeCall", true}, {"answerCall", false}}},
         {"snapshotServ", {{"snapshotDevice", true}}}};
  }
  void choice_text(std::string& name, std::string& value_) {
    name = "operation";
    value_ = value("choice");
  }
  void login(std::optional<SessionLogin>& v) {
    v = SessionLogin{n_ % 2 == 0, "user", "pass & <word>", 60u, std::string("S1")};
    if (!v->avaya) {
      v->session_cleanup_delay.reset();
      v->session_id.reset();
    }
  }

 private:
  std::string value(std::string_view name) {
    return std::string(name) + "#" + std::to_string(++n_);
  }
  unsigned n_ = 0;
};

template <std::size_t I = 0>
void check_all(Namespace ns) {
  if constexpr (I < std::variant_size_v<Body>) {
    using T = std::variant_alternative_t<I, Body>;
    T value;
    Filler filler;
    T::fields(value, filler);
    const Message m{ns, value};
    const std::string out = encode(m);
    INFO(out);
    const auto back = decode(out);
    if (!back) FAIL(back.error().message());
    CHECK(back->body.index() == I);
    if (!is_session_message_v<T>) CHECK(back->ns == ns);
    CHECK(encode(*back) == out);
    check_all<I + 1>(ns);
  }
}

}  // namespace

TEST_CASE("every csta message type round-trips with all fields set, in every edition",
          "[csta][codec][types]") {
  for (const Namespace ns : {Namespace::ed3, Namespace::ed4, Namespace::ed5})
    check_all(ns);
}

template <std::size_t... I>
std::vector<std::string_view> element_names(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, Body>::kElement...};
}

TEST_CASE("every csta message type has a distinct element name", "[csta][codec][types]") {
  auto names = element_names(std::make_index_sequence<std::variant_size_v<Body>>());
  std::sort(names.begin(), names.end());
  CHECK(std::adjacent_find(names.begin(), names.end()) == names.end());
  CHECK(names.size() == 72);  // update when a message type is added
}
