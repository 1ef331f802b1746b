// rcc-ctisim: a CTI manager node to test against. It loads a directory file, accepts CSTA XML
// over TCP with ECMA-354 application sessions on --listen, and takes scripted world events
// (incoming calls, far ends answering, silence, dropped links) on --control. Man: rcc-ctisim(1).

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>

#include <cstdio>
#include <iostream>

#include "cti/link.h"
#include "ctisim/server.h"
#include "diag/error.h"
#include "diag/exit_code.h"
#include "directory/directory.h"
#include "tool_cli.h"

namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

struct Options {
  rcc::tool::CommonOptions common;
  std::string directory;
  std::string listen;
  std::string control;
  unsigned max_session_duration = 600;
  unsigned frame_timeout_ms = 10'000;
  unsigned max_frame_bytes = 65535;
  std::string framing = "annex-j";
};

tcp::endpoint endpoint_of(net::io_context& ioc, const std::string& text, const char* option) {
  auto a = rcc::cti::parse_node_address(text);
  if (!a)
    throw rcc::Exception(
        rcc::Error(rcc::Errc::invalid_argument, std::string(option) + ": " + a.error().message()));
  tcp::resolver resolver(ioc);
  boost::system::error_code ec;
  auto results = resolver.resolve(a->host, a->port, tcp::resolver::passive, ec);
  if (ec || results.empty())
    throw rcc::Exception(rcc::Error(rcc::Errc::invalid_argument,
                                    std::string(option) + " " + text + ": " + ec.message()));
  return results.begin()->endpoint();
}

std::string name_of(const tcp::endpoint& e) {
  if (e.address().is_v6()) return "[" + e.address().to_string() + "]:" + std::to_string(e.port());
  return e.address().to_string() + ":" + std::to_string(e.port());
}

int run(const Options& o) {
  auto dir = rcc::directory::load_directory_file(o.directory);
  if (!dir) {
    std::cerr << "rcc-ctisim: " << dir.error().render() << "\n";
    return rcc::exit_code::kUsage;
  }
  net::io_context ioc;
  rcc::ctisim::ServerOptions so;
  so.max_session_duration = o.max_session_duration;
  so.default_session_duration = std::min(180u, o.max_session_duration);
  so.frame_timeout = std::chrono::milliseconds(o.frame_timeout_ms);
  so.frame_limits.max_frame_bytes = o.max_frame_bytes;
  if (o.framing == "nul-terminated") so.frame_limits.framing = rcc::cti::Framing::nul_terminated;
  rcc::ctisim::Server server(ioc, *dir, so);
  const auto listen_at = endpoint_of(ioc, o.listen, "--listen");
  tcp::endpoint bound, control_bound;
  auto cti = server.listen(listen_at);
  if (!cti) {
    std::cerr << "rcc-ctisim: cannot listen: " << cti.error().message() << "\n";
    return rcc::exit_code::kFailure;
  }
  bound = *cti;
  if (!o.control.empty()) {
    auto control = server.listen_control(endpoint_of(ioc, o.control, "--control"));
    if (!control) {
      std::cerr << "rcc-ctisim: cannot listen: " << control.error().message() << "\n";
      return rcc::exit_code::kFailure;
    }
    control_bound = *control;
  }
  // Ports may be 0 on the command line: say which ones we got, for scripts and tests.
  std::printf("cti %s\n", name_of(bound).c_str());
  if (!o.control.empty()) std::printf("control %s\n", name_of(control_bound).c_str());
  std::fflush(stdout);
  net::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) server.close();
    ioc.stop();
  });
  ioc.run();
  return rcc::exit_code::kOk;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"rcc-ctisim: a CTI manager node (CSTA XML over TCP) to test against", "rcc-ctisim"};
  rcc::tool::add_common_options(app, o.common);
  app.add_option("-d,--directory", o.directory, "directory file (man 5 rcc-directory)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("-l,--listen", o.listen, "CTI port: HOST:PORT (port 0 picks a free one)")
      ->required();
  app.add_option("--control", o.control, "control port: HOST:PORT, one command per line");
  app.add_option("--max-session-duration", o.max_session_duration,
                 "longest application session granted, seconds")
      ->check(CLI::Range(1u, 86400u));
  app.add_option("--frame-timeout", o.frame_timeout_ms,
                 "drop a peer that stops in the middle of a frame, milliseconds")
      ->check(CLI::Range(1u, 600000u));
  app.add_option("--max-frame-bytes", o.max_frame_bytes,
                 "drop a peer whose frame (header included) is longer, bytes")
      ->check(CLI::Range(64u, 65535u));
  app.add_option("--framing", o.framing,
                 "annex-j (8-byte header with invoke ID) or nul-terminated (documents end in NUL)")
      ->check(CLI::IsMember({"annex-j", "nul-terminated"}))
      ->capture_default_str();
  return rcc::tool::run_main(app, argc, argv, [&] {
    rcc::tool::setup_logging(o.common);
    return run(o);
  });
}
