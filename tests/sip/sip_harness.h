#pragma once
// A hand-driven world for the transaction and dialog layers: every message they send and every
// timer they start is recorded, and the test decides when time passes.

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include "sip/dialog.h"
#include "sip/message.h"
#include "sip/parser.h"
#include "sip/transaction.h"

namespace rcc::sip::test {

struct Recorder : TransactionSink {
  struct Sent {
    Flow flow;
    Message message;
  };
  struct Started {
    TimerOwner owner;
    Timer timer;
    std::chrono::milliseconds after;
  };
  std::vector<Sent> sent;
  std::vector<Started> timers;

  void send(Flow flow, const Message& m) override {
    // What goes on the wire must parse again (the serializer and the parser agree).
    auto again = parse(serialize(m));
    if (!again) throw std::runtime_error("sent an unparseable message: " + again.error().detail());
    sent.push_back({flow, m});
  }
  void start_timer(TimerOwner owner, Timer timer, std::chrono::milliseconds after) override {
    timers.push_back({owner, timer, after});
  }
  const Message& last() const { return sent.back().message; }
};

}  // namespace rcc::sip::test
