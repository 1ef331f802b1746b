#pragma once
// Visiting the identifiers inside any CSTA message, through the same fields() lists the codec
// uses (so a new message type is walked as soon as the codec knows it):
//
//   struct Rewrite {
//     void connection(csta::ConnectionId& c);               // every ConnectionID
//     void device(csta::DeviceRef& d);                       // every ExtendedDeviceID
//     void text(std::string_view element, std::string& v);   // every plain text child
//   };
//   csta::walk_ids(message.body, rewrite);
//
// The gateway uses it to swap the node's callIDs, device IDs and crossRefIDs for its own and back
// (every event type, one code path), and monitor_cross_ref_id() to read an event's crossRefID.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "csta/codec.h"

namespace rcc::csta {

template <class F>
class IdWalker {
 public:
  explicit IdWalker(F& f) : f_(f) {}

  void operator()(std::string_view name, std::string& v) { f_.text(name, v); }
  void operator()(std::string_view name, std::optional<std::string>& v) {
    if (v) f_.text(name, *v);
  }
  void operator()(std::string_view, bool&) {}
  void operator()(std::string_view, std::optional<bool>&) {}
  void operator()(std::string_view, std::optional<unsigned>&) {}
  void operator()(std::string_view, ConnectionId& c) { f_.connection(c); }
  void operator()(std::string_view, std::optional<ConnectionId>& c) {
    if (c) f_.connection(*c);
  }
  void operator()(std::string_view, DeviceRef& d) { f_.device(d); }
  void operator()(std::string_view, std::optional<DeviceRef>& d) {
    if (d) f_.device(*d);
  }
  template <class T>
  void operator()(std::string_view name, std::optional<T>& v) {
    if (v) (*this)(name, *v);
  }
  template <class T>
  void operator()(std::string_view, T& v) {
    T::fields(v, *this);
  }
  template <class T>
  void list(std::string_view, std::string_view, std::vector<T>& items, Req) {
    for (auto& item : items)
      T::fields(item, *this);
  }
  template <class G>
  void group(std::string_view, Req, G&& fn) {
    fn(*this);
  }
  void device_or_wrapped(std::string_view name, std::string& v) { f_.text(name, v); }
  // Lines, feature lists, choices, logins and version lists carry no call or device identifier
  // the gateway maps.
  template <class... A>
  void private_line(A&&...) {}
  template <class... A>
  void features(A&&...) {}
  template <class... A>
  void choice_text(A&&...) {}
  template <class... A>
  void login(A&&...) {}
  template <class... A>
  void text_list(A&&...) {}

 private:
  F& f_;
};

template <class F>
void walk_ids(Body& body, F& f) {
  std::visit(
      [&f](auto& m) {
        IdWalker<F> w(f);
        std::decay_t<decltype(m)>::fields(m, w);
      },
      body);
}

/// The monitorCrossRefID of an event (or of MonitorStart/StopResponse), if it has one.
inline std::optional<std::string> monitor_cross_ref_id(const Body& body) {
  struct Find {
    std::optional<std::string> found;
    void connection(ConnectionId&) {}
    void device(DeviceRef&) {}
    void text(std::string_view name, std::string& v) {
      if (!found && name == "monitorCrossRefID") found = v;
    }
  } find;
  Body copy = body;  // walk_ids takes a mutable body; events are small
  walk_ids(copy, find);
  return find.found;
}

}  // namespace rcc::csta
