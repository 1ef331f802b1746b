// sip_test_server: a small SIP server (and client) on the rcc SIP layer, for the SIPp, socat and
// tshark tests. Built only with the tests.
//
//   sip_test_server --cert C --key K --ca CA [--legacy-tls] [--no-verify]
//       Listens on 127.0.0.1, TCP and TLS, ports chosen by the system; prints
//       "tcp=<port> tls=<port>" on stdout, then one line per event ("invite flow=N subject=...",
//       "info ...", "ended ..."). Answers INVITE with 200 + RequestSystemStatusResponse, INFO
//       with 200 (+ MakeCallResponse for a MakeCall), BYE and OPTIONS itself. Runs until SIGINT,
//       SIGTERM or --seconds pass.
//   sip_test_server --client PORT FILE...
//       Connects over TCP to 127.0.0.1:PORT and sends each message file, parsed and written
//       again by our serializer, waiting for the final response of each; after the INVITE the
//       To tag of its 200 goes into the later requests. Prints each status; exits 1 if a final
//       response is not 2xx or does not come within 5 s.
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "sip/framer.h"
#include "sip/parser.h"
#include "sip/transport_stack.h"

namespace sip = rcc::sip;
namespace net = boost::asio;

namespace {

class App : public sip::DialogHandler {
 public:
  sip::Stack* stack = nullptr;
  void on_invite(const sip::Dialog& d, sip::TxnId txn, const sip::Message& m) override {
    const auto* c = stack->connection(d.flow);
    std::cout << "invite flow=" << d.flow << " subject=" << (c ? c->peer_subject() : "")
              << " body=" << m.body.size() << std::endl;
    sip::Answer a;
    a.body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<RequestSystemStatusResponse "
        "xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\">"
        "<systemStatus>normal</systemStatus></RequestSystemStatusResponse>\r\n";
    a.content_type = "application/csta+xml";
    (void)stack->dialogs().answer(txn, a);
  }
  void on_info(const sip::Dialog& d, sip::TxnId txn, const sip::Message& m) override {
    std::cout << "info flow=" << d.flow << " body=" << m.body.size() << std::endl;
    sip::Answer a;
    if (m.body.find("<MakeCall") != std::string::npos) {
      a.body =
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<MakeCallResponse "
          "xmlns=\"http://www.ecma-international.org/standards/ecma-323/csta/ed3\"><callingDevice>"
          "<callID>1</callID><deviceID>tel:73124;phone-context=dialstring</deviceID>"
          "</callingDevice></MakeCallResponse>\r\n";
      a.content_type = "application/csta+xml";
    }
    (void)stack->dialogs().answer(txn, a);
  }
  void on_info_result(const sip::Dialog&, std::uint64_t, const sip::Message*,
                      std::error_code) override {}
  void on_dialog_ended(const sip::Dialog& d, std::error_code why) override {
    std::cout << "ended flow=" << d.flow << " why=" << (why ? why.message() : "bye") << std::endl;
  }
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

int serve(int argc, char** argv) {
  sip::TlsOptions tls;
  int seconds = 0;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--cert")
      tls.cert_file = next();
    else if (a == "--key")
      tls.key_file = next();
    else if (a == "--ca")
      tls.ca_file = next();
    else if (a == "--legacy-tls")
      tls.legacy_tls10_3des = true;
    else if (a == "--no-verify")
      tls.verify_peer = false;
    else if (a == "--seconds")
      seconds = std::stoi(next());
    else {
      std::cerr << "sip_test_server: unknown option " << a << "\n";
      return 2;
    }
  }
  net::io_context io;
  App app;
  sip::DialogConfig config;
  config.contact = "sip:rcc-test@127.0.0.1";
  sip::Stack stack(io, app, config);
  app.stack = &stack;
  auto tcp = stack.listen_tcp("127.0.0.1", 0);
  if (!tcp) {
    std::cerr << "sip_test_server: " << tcp.error().message() << "\n";
    return 1;
  }
  std::uint16_t tls_port = 0;
  if (!tls.cert_file.empty()) {
    auto bound = stack.listen_tls("127.0.0.1", 0, tls);
    if (!bound) {
      std::cerr << "sip_test_server: " << bound.error().message() << "\n";
      return 1;
    }
    tls_port = *bound;
  }
  std::cout << "tcp=" << *tcp << " tls=" << tls_port << std::endl;
  net::signal_set signals(io, SIGINT, SIGTERM);
  net::steady_timer limit(io);
  signals.async_wait([&](const boost::system::error_code&, int) {
    stack.stop();
    limit.cancel();
  });
  if (seconds > 0) {
    limit.expires_after(std::chrono::seconds(seconds));
    limit.async_wait([&](const boost::system::error_code& ec) {
      if (!ec) {
        stack.stop();
        signals.cancel();
      }
    });
  }
  io.run();
  return 0;
}

int client(int argc, char** argv) {
  const auto port = static_cast<std::uint16_t>(std::stoi(argv[2]));
  net::io_context io;
  net::ip::tcp::socket socket(io);
  boost::system::error_code ec;
  socket.connect({net::ip::make_address("127.0.0.1"), port}, ec);
  if (ec) {
    std::cerr << "connect: " << ec.message() << "\n";
    return 1;
  }
  sip::StreamFramer framer;
  std::string to_tag;
  std::array<char, 8192> buf{};
  for (int i = 3; i < argc; ++i) {
    auto m = sip::parse(read_file(argv[i]));
    if (!m) {
      std::cerr << argv[i] << ": " << m.error().message() << "\n";
      return 1;
    }
    if (!to_tag.empty()) {
      auto to = m->to();
      if (to && !to->tag().empty()) {
        auto value = *m->header("To");
        value = value.substr(0, value.find(";tag=")) + ";tag=" + to_tag;
        m->set("To", value);
      }
    }
    net::write(socket, net::buffer(sip::serialize(*m)), ec);
    if (ec) return 1;
    if (m->method == "ACK") continue;
    // Read until the final response, under a 5 s deadline.
    bool final = false;
    while (!final) {
      std::size_t n = 0;
      bool done = false;
      socket.async_read_some(net::buffer(buf),
                             [&](const boost::system::error_code& e, std::size_t got) {
                               ec = e;
                               n = got;
                               done = true;
                             });
      io.restart();
      io.run_for(std::chrono::seconds(5));
      if (!done || ec) {
        std::cerr << "no final response to " << argv[i] << "\n";
        return 1;
      }
      std::string_view data(buf.data(), n);
      while (!data.empty()) {
        auto used = framer.feed(data);
        if (!used) return 1;
        data.remove_prefix(*used);
        if (!framer.ready()) continue;
        auto frame = framer.take();
        if (frame.kind != sip::StreamFramer::Kind::message) continue;
        const auto& r = frame.message;
        std::cout << r.status << " " << r.cseq()->method << std::endl;
        if (r.status < 200) continue;
        final = true;
        if (r.status >= 300) return 1;
        if (m->method == "INVITE") to_tag = std::string(r.to()->tag());
      }
    }
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  // stdout carries the event lines the scripts read; logs go to stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("sip_test_server"));
  if (argc >= 3 && std::string(argv[1]) == "--client") return client(argc, argv);
  return serve(argc, argv);
}
