#pragma once
// The gateway without sockets: a sip::DialogLayer whose output is recorded (sip_harness.h), the
// Gateway, and a CtiSide made of in-process simulator call models (ctisim::World), one per node.
// Replies and events are queued and delivered by drain(), as an io_context would deliver them.
// Used by tests/rcc/gateway_test.cc and the fuzz target tests/fuzz/gateway_session_fuzz.cc.

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "csta/codec.h"
#include "ctisim/world.h"
#include "directory/directory.h"
#include "directory/user_source.h"
#include "rcc/gateway.h"
#include "sip/dialog.h"
#include "sip/parser.h"
#include "sip/sip_harness.h"

namespace rcc::gateway::test {

/// Nodes are separate call models over one directory; a node that goes down loses its calls.
class WorldCti : public CtiSide {
 public:
  WorldCti(const directory::Directory& dir, std::size_t nodes) : dir_(dir) {
    for (std::size_t i = 0; i < nodes; ++i) {
      worlds_.push_back(std::make_unique<ctisim::World>(dir));
      up_.push_back(true);
    }
  }
  Gateway* gateway = nullptr;

  Result<std::size_t> place() override {
    for (std::size_t i = 0; i < up_.size(); ++i) {
      const std::size_t n = (next_ + i) % up_.size();
      if (up_[n]) {
        next_ = n + 1;
        return n;
      }
    }
    return Error(rcc::Errc::invalid_argument, "no node up");
  }
  bool up(std::size_t node) const override { return node < up_.size() && up_[node]; }
  std::string name(std::size_t node) const override { return "node" + std::to_string(node); }
  std::size_t backlog(std::size_t) const override { return waiting; }
  std::size_t waiting = 0;  ///< what backlog() reports: requests "waiting" on every node
  /// When set and it returns an answer for a request, the node answers that instead (an error:
  /// the link failed or timed out) and the call model never sees the request.
  std::function<std::optional<Result<csta::Message>>(const csta::Body&)> intercept;
  void request(std::size_t node, csta::Body body, Reply reply) override {
    if (!up(node)) {
      pending_.push_back([reply] { reply(Error(rcc::Errc::invalid_argument, "node down")); });
      return;
    }
    if (intercept)
      if (auto answer = intercept(body)) {
        pending_.push_back([reply, a = std::move(*answer)] { reply(a); });
        ++requests;
        return;
      }
    std::vector<ctisim::Out> out;
    const int invoke = next_invoke_++ % 9000 + 1;
    worlds_[node]->handle(1, invoke, body, out);
    for (auto& o : out) {
      csta::Message m{csta::Namespace::ed3, std::move(o.body)};
      if (o.invoke_id == invoke)
        pending_.push_back([reply, m] { reply(m); });
      else
        pending_.push_back([this, node, m] { gateway->on_event(node, m); });
    }
    ++requests;
  }
  /// A scripted world action on a node (incoming call, far end answering...), events queued.
  template <class F>
  void script(std::size_t node, F&& action) {
    std::vector<ctisim::Out> out;
    action(*worlds_[node], out);
    for (auto& o : out) {
      csta::Message m{csta::Namespace::ed3, std::move(o.body)};
      pending_.push_back([this, node, m] { gateway->on_event(node, m); });
    }
  }
  ctisim::World& world(std::size_t node) { return *worlds_[node]; }
  void set_up(std::size_t node, bool up) {
    up_[node] = up;
    if (!up) worlds_[node] = std::make_unique<ctisim::World>(dir_);  // its calls are gone
    gateway->on_node_state(node, up);
  }
  /// Delivers queued replies and events (bounded: a loop would be a bug).
  void drain() {
    for (int i = 0; i < 100'000 && !pending_.empty(); ++i) {
      auto f = std::move(pending_.front());
      pending_.pop_front();
      f();
    }
  }
  std::size_t requests = 0;

 private:
  const directory::Directory& dir_;
  std::vector<std::unique_ptr<ctisim::World>> worlds_;
  std::vector<bool> up_;
  std::size_t next_ = 0;
  int next_invoke_ = 0;
  std::deque<std::function<void()>> pending_;
};

/// A client-side dialog as the OCS pool holds it.
struct Client {
  std::string call_id;
  std::string from_tag;
  std::string to_tag;
  std::string from;  ///< sip:user@domain
  std::uint32_t cseq = 1;
  sip::Flow flow = 1;
  /// A fresh dialog of `user` (sip:user@example.com), its Call-ID and From tag made of `tag`.
  static Client of(const std::string& user, const std::string& tag) {
    Client c;
    c.call_id = "call-" + tag;
    c.from_tag = tag;
    c.from = "sip:" + user + "@example.com";
    return c;
  }
};

struct Harness {
  sip::test::Recorder out;
  directory::DirectoryUsers users;
  WorldCti cti;
  Gateway gateway;
  sip::DialogLayer layer;
  int next_branch = 1;

  Harness(const directory::Directory& dir, std::size_t nodes, Settings settings = {})
      : users(dir), cti(dir, nodes), gateway(dir, users, cti, settings), layer(out, gateway) {
    gateway.attach(layer);
    cti.gateway = &gateway;
  }

  static std::string line_body(const std::string& element, const std::string& line) {
    return "<?xml version=\"1.0\"?><" + element +
           " xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\"><extensions>"
           "<privateData><private><lcs:line "
           "xmlns:lcs=\"http://schemas.microsoft.com/Lcs/2005/04/RCCExtension\">" +
           line + "</lcs:line></private></privateData></extensions></" + element + ">";
  }

  sip::Message request(const Client& c, const std::string& method, std::uint32_t cseq,
                       const std::string& body) {
    std::string text = method + " sip:rcc-gw@gw.example.com SIP/2.0\r\n";
    text +=
        "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bKh" + std::to_string(next_branch++) + "\r\n";
    text += "From: <" + c.from + ">;tag=" + c.from_tag + ";epid=" + c.from_tag + "\r\n";
    text +=
        "To: <sip:rcc-gw@gw.example.com>" + (c.to_tag.empty() ? "" : ";tag=" + c.to_tag) + "\r\n";
    text += "Call-ID: " + c.call_id + "\r\nCSeq: " + std::to_string(cseq) + " " + method + "\r\n";
    text += "Contact: <sip:ocs@192.0.2.10:5060;transport=tcp>\r\nMax-Forwards: 70\r\n";
    if (method == "INVITE") text += "Supported: timer\r\n";
    if (!body.empty())
      text +=
          "Content-Type: application/csta+xml\r\nContent-Disposition: signal;handling=required\r\n";
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    auto m = sip::parse(text);
    if (!m) throw std::runtime_error("harness built a bad request: " + m.error().detail());
    return *m;
  }

  /// The last response the gateway sent (after delivering what is queued).
  const sip::Message& last_response() {
    for (auto it = out.sent.rbegin(); it != out.sent.rend(); ++it)
      if (!it->message.is_request()) return it->message;
    throw std::runtime_error("no response sent");
  }

  /// INVITE + RequestSystemStatus; returns the final status. On 200 the client is signed in.
  int sign_in(Client& c, const std::string& line) {
    layer.receive(c.flow, request(c, "INVITE", c.cseq, line_body("RequestSystemStatus", line)));
    cti.drain();
    const auto& r = last_response();
    if (r.status == 200) {
      c.to_tag = std::string(r.to()->tag());
      layer.receive(c.flow, request(c, "ACK", c.cseq, ""));
    }
    return r.status;
  }

  /// An INFO with `xml`; returns the decoded CSTA answer (throws on a non-200).
  csta::Message info(Client& c, const std::string& xml) {
    layer.receive(c.flow, request(c, "INFO", ++c.cseq, xml));
    cti.drain();
    answer_events();
    const auto& r = last_response();
    if (r.status != 200) throw std::runtime_error("INFO answered " + std::to_string(r.status));
    auto m = csta::decode(r.body);
    if (!m) throw std::runtime_error("bad CSTA in the 200: " + m.error().detail());
    return *m;
  }

  /// Answers every event INFO the gateway sent (200 OK), recording them per Call-ID.
  void answer_events() {
    for (int round = 0; round < 1000; ++round) {
      bool any = false;
      for (std::size_t i = answered_; i < out.sent.size(); ++i) {
        const auto m = out.sent[i].message;
        answered_ = i + 1;
        if (m.method != "INFO") continue;
        events[std::string(m.call_id())].push_back(m.body);
        std::string text = "SIP/2.0 200 OK\r\nVia: " + *m.header("Via") +
                           "\r\nFrom: " + *m.header("From") + "\r\nTo: " + *m.header("To") +
                           "\r\nCall-ID: " + std::string(m.call_id()) +
                           "\r\nCSeq: " + *m.header("CSeq") + "\r\nContent-Length: 0\r\n\r\n";
        auto ok = sip::parse(text);
        if (ok) layer.receive(out.sent[i].flow, *ok);
        any = true;
        break;  // the layer may send the next queued INFO now
      }
      cti.drain();
      if (!any) return;
    }
  }
  /// Event bodies delivered to each client (by SIP Call-ID), in order.
  std::map<std::string, std::vector<std::string>> events;

 private:
  std::size_t answered_ = 0;
};

}  // namespace rcc::gateway::test
