// rcc-load: many Communicator users at once against a uaCSTA gateway (or a SIP load balancer in
// front of gateways), on common/uacsta's client. What an OCS/Lync pool does after a restart:
// every user signs in (INVITE with RequestSystemStatus), starts a monitor on its line, refreshes
// its dialog at half the granted Session-Expires, and like Communicator signs in again with a
// new dialog when its dialog is lost (481, 408, no answer), waiting the Retry-After of a 503.
// Then MakeCall INFOs at a fixed rate (each call cleared again) for the INFO round trip.
//
// The users multiplex over --connections SIP connections (as a pool does), so tens of
// thousands of users need a handful of file descriptors. One thread, one io_context.
// The figures go to stdout as one JSON object; progress to stderr when it is a terminal.
// SIGINT or SIGTERM ends the run as the deadline would, with the sign-outs and the figures (a
// test holds the users with a long --hold, checks the gateway, then stops us).
// Exit 0 when every user signed in (and monitored, with --monitor) and every call was answered
// without error, 1 otherwise, 2 on bad arguments.

#include <unistd.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <deque>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "csta/services.h"
#include "uacsta/client.h"

namespace asio = boost::asio;
namespace csta = rcc::csta;
using rcc::uacsta::Client;
using rcc::uacsta::Reply;
using rcc::uacsta::SessionId;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string target = "127.0.0.1:5060";
  std::size_t users = 1000;
  std::size_t first = 0;
  std::string user_format = "u%05zu";
  std::string domain = "example.com";
  std::string line_format = "tel:%zu;phone-context=dialstring";
  std::size_t line_base = 7000;
  std::size_t connections = 4;
  std::vector<std::string> local_hosts{"127.0.0.1"};
  double sign_in_rate = 0;    ///< new sign-ins per second; 0: all at once (the storm)
  std::size_t window = 1000;  ///< sign-ins in flight at most (a pool's own bound)
  bool monitor = false;       ///< MonitorStart on the line after each sign-in
  std::size_t calls = 0;      ///< MakeCall INFOs once everyone is in
  double call_rate = 50;      ///< of those, per second
  std::string called = "tel:0612345678;phone-context=dialstring";
  double hold = 0;       ///< seconds to stay signed in after the calls
  bool sign_out = true;  ///< BYE every session at the end
  double retry_after_scale = 1.0;
  double deadline = 120;  ///< the whole run, seconds
  double timeout = 32;    ///< one transaction, seconds (Timer B, 64*T1: what a pool waits)
};

std::string format(const std::string& pattern, std::size_t n) {
  char buf[256];
  std::snprintf(buf, sizeof buf, pattern.c_str(), n);
  return buf;
}

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const auto rank = std::size_t(p / 100.0 * double(v.size()) + 0.5);
  return v[std::min(v.size() - 1, rank == 0 ? 0 : rank - 1)];
}

class Load {
 public:
  Load(asio::io_context& io, Options o) : io_(io), o_(std::move(o)), tick_(io) {}

  bool start() {
    for (std::size_t c = 0; c < o_.connections; ++c) {
      rcc::uacsta::ClientOptions co;
      co.gateway = o_.target;
      co.local_host = o_.local_hosts[c % o_.local_hosts.size()];
      co.timeout = std::chrono::milliseconds(long(o_.timeout * 1000));
      auto client = std::make_unique<Client>(io_, co);
      if (auto ok = client->start(); !ok) {
        std::cerr << "rcc-load: cannot listen on " << co.local_host << ": " << ok.error().message()
                  << "\n";
        return false;
      }
      Client* raw = client.get();
      client->on_ended = [this, raw](SessionId s, std::error_code why) { ended(raw, s, why); };
      client->on_event = [this](SessionId, const csta::Message&) { ++events_; };
      clients_.push_back(std::move(client));
    }
    users_.resize(o_.users);
    for (std::size_t i = 0; i < o_.users; ++i) {
      User& u = users_[i];
      u.uri = "sip:" + format(o_.user_format, o_.first + i) + "@" + o_.domain;
      u.line = format(o_.line_format, o_.line_base + o_.first + i);
      u.client = clients_[i % clients_.size()].get();
      waiting_.push_back(i);
    }
    t0_ = Clock::now();
    tock();
    return true;
  }

  nlohmann::json figures() const {
    nlohmann::json j;
    j["target"] = o_.target;
    j["users"] = o_.users;
    j["connections"] = o_.connections;
    j["signed_in"] = signed_in_;
    j["monitoring"] = monitoring_;
    j["sign_in_seconds"] = all_in_;
    j["monitor_seconds"] = all_monitoring_;
    j["sign_ins_per_second"] = all_in_ > 0 ? double(o_.users) / all_in_ : 0.0;
    j["attempts"] = attempts_;
    j["busy"] = busy_;
    j["busy_without_retry_after"] = busy_without_retry_after_;
    j["retry_after_min"] = busy_ ? retry_after_min_ : 0;
    j["retry_after_max"] = retry_after_max_;
    j["refused"] = nlohmann::json::object();
    for (const auto& [code, n] : refused_)
      j["refused"][std::to_string(code)] = n;
    j["no_answer"] = no_answer_;
    j["resigns"] = resigns_;
    j["refreshes"] = refreshes_;
    j["refresh_failures"] = refresh_failures_;
    j["monitor_errors"] = monitor_errors_;
    j["events"] = events_;
    j["calls"] = {{"sent", calls_sent_},
                  {"ok", calls_ok_},
                  {"failed", calls_failed_},
                  {"p50_ms", percentile(rtt_ms_, 50)},
                  {"p99_ms", percentile(rtt_ms_, 99)},
                  {"max_ms", percentile(rtt_ms_, 100)}};
    j["signed_out"] = signed_out_;
    j["seconds"] = seconds_since(t0_);
    j["timed_out"] = timed_out_;
    j["stopped"] = stopped_;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    j["cpu_seconds"] = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                       double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
    j["max_rss_kib"] = ru.ru_maxrss;
    return j;
  }

  /// Ends the run now: sign-outs (unless --no-sign-out), then the clients stop.
  void stop() {
    stopped_ = true;
    finish();
  }

  bool passed() const {
    return !timed_out_ && all_in_ > 0 && (!o_.monitor || all_monitoring_ > 0) &&
           calls_ok_ == o_.calls;
  }

 private:
  enum class State { waiting, signing_in, signed_in, backing_off, done };
  struct User {
    std::string uri, line;
    Client* client = nullptr;
    SessionId session = 0;
    State state = State::waiting;
    bool ever_in = false;
    bool monitoring = false;
    bool call_busy = false;
    std::uint32_t interval = 0;
    Clock::time_point refresh_at{};
  };

  // Everything time-driven happens on one 10 ms tick: sign-ins by rate and window, refreshes,
  // calls by rate, the phases, the deadline. Bounded: the deadline ends the run.
  void tock() {
    tick_.expires_after(std::chrono::milliseconds(10));
    tick_.async_wait([this](boost::system::error_code ec) {
      if (ec) return;
      step();
      if (!finished_) tock();
    });
  }

  void step() {
    const double now = seconds_since(t0_);
    if (now > o_.deadline) {
      timed_out_ = true;
      finish();
      return;
    }
    start_sign_ins(now);
    retry_due();
    refresh_due();
    if (all_in_ == 0 && signed_in_ == o_.users) all_in_ = now;
    if (o_.monitor && all_monitoring_ == 0 && monitoring_ == o_.users) all_monitoring_ = now;
    const bool everyone = all_in_ > 0 && (!o_.monitor || all_monitoring_ > 0);
    if (!everyone) return;
    if (calls_started_at_ == 0) calls_started_at_ = now;
    send_calls(now);
    if (calls_done() && hold_from_ == 0) hold_from_ = now;
    if (hold_from_ > 0 && now - hold_from_ >= o_.hold) finish();
  }

  void start_sign_ins(double now) {
    std::size_t allowed = waiting_.size();
    if (o_.sign_in_rate > 0)
      allowed = std::min(allowed, std::size_t(now * o_.sign_in_rate) -
                                      std::min(std::size_t(now * o_.sign_in_rate), first_sent_));
    while (allowed-- > 0 && in_flight_ < o_.window && !waiting_.empty()) {
      const std::size_t i = waiting_.front();
      waiting_.pop_front();
      ++first_sent_;
      sign_in(i);
    }
  }

  void sign_in(std::size_t i) {
    User& u = users_[i];
    u.state = State::signing_in;
    u.monitoring = false;
    ++attempts_;
    ++in_flight_;
    Client* c = u.client;
    u.session = c->sign_in(u.uri, u.line, [this, i](SessionId s, Reply r) { answered(i, s, r); });
    if (u.session) by_session_[{c, u.session}] = i;
  }

  void answered(std::size_t i, SessionId s, const Reply& r) {
    --in_flight_;
    User& u = users_[i];
    by_session_.erase({u.client, s});
    if (finished_) return;
    if (r.status >= 200 && r.status < 300) {
      u.session = s;
      by_session_[{u.client, s}] = i;
      u.state = State::signed_in;
      ++signed_in_;
      if (u.ever_in) ++resigns_;
      u.ever_in = true;
      u.interval = r.session_expires;
      if (u.interval) u.refresh_at = Clock::now() + std::chrono::seconds(u.interval) / 2;
      if (o_.monitor) start_monitor(i);
      return;
    }
    u.session = 0;
    double wait = backoff();
    if (r.status == 503 && r.retry_after > 0) {
      ++busy_;
      retry_after_min_ = std::min(retry_after_min_, r.retry_after);
      retry_after_max_ = std::max(retry_after_max_, r.retry_after);
      wait = r.retry_after * o_.retry_after_scale * (0.8 + 0.4 * uniform());
    } else if (r.status == 503) {
      ++busy_without_retry_after_;
    } else if (r.status == 0) {
      ++no_answer_;
    } else {
      ++refused_[r.status];
    }
    retry_later(i, wait);
  }

  void start_monitor(std::size_t i) {
    User& u = users_[i];
    const SessionId s = u.session;
    u.client->request(s, csta::MonitorStart{u.line}, [this, i, s](Reply r) {
      User& now = users_[i];
      if (finished_ || now.session != s || now.state != State::signed_in) return;
      // Any answer but a CSTA error counts (a responder that is not a gateway answers every
      // INFO alike; the bench's peer does).
      if (r.status == 200 &&
          !(r.csta && std::holds_alternative<csta::CSTAErrorCode>(r.csta->body))) {
        now.monitoring = true;
        ++monitoring_;
      } else if (r.status != 0) {
        ++monitor_errors_;  // a CSTA error (a node lost): Communicator tries again
        start_monitor(i);
      }
    });
  }

  /// The dialog is gone (481/408/no answer to our request, BYE from the gateway): Communicator
  /// signs in again with a new dialog after a short random backoff.
  void ended(Client* c, SessionId s, std::error_code) {
    const auto it = by_session_.find({c, s});
    if (it == by_session_.end()) return;
    const std::size_t i = it->second;
    by_session_.erase(it);
    User& u = users_[i];
    if (finished_ || u.state != State::signed_in) return;
    --signed_in_;
    if (u.monitoring) --monitoring_;
    u.monitoring = false;
    u.session = 0;
    retry_later(i, backoff());
  }

  void retry_later(std::size_t i, double seconds) {
    users_[i].state = State::backing_off;
    retries_.emplace(Clock::now() + std::chrono::microseconds(long(seconds * 1e6)), i);
  }

  void retry_due() {
    const auto now = Clock::now();
    while (!retries_.empty() && retries_.begin()->first <= now && in_flight_ < o_.window) {
      const std::size_t i = retries_.begin()->second;
      retries_.erase(retries_.begin());
      sign_in(i);
    }
  }

  void refresh_due() {
    const auto now = Clock::now();
    if (now < next_refresh_scan_) return;
    next_refresh_scan_ = now + std::chrono::milliseconds(200);
    for (std::size_t i = 0; i < users_.size(); ++i) {
      User& u = users_[i];
      if (u.state != State::signed_in || !u.interval || u.refresh_at > now) continue;
      u.refresh_at = now + std::chrono::seconds(u.interval) / 2;
      const SessionId s = u.session;
      u.client->refresh(s, u.interval, [this, i, s](Reply r) {
        if (finished_ || users_[i].session != s) return;
        if (r.status >= 200 && r.status < 300)
          ++refreshes_;
        else
          ++refresh_failures_;  // 481/408/none: the dialog ends; ended() signs in again
      });
    }
  }

  void send_calls(double now) {
    const auto due =
        std::min<std::size_t>(o_.calls, std::size_t((now - calls_started_at_) * o_.call_rate) + 1);
    while (calls_sent_ < due) {
      // The next signed-in user without a call of its own.
      std::size_t tried = 0;
      while (tried < users_.size() &&
             (users_[next_caller_].state != State::signed_in || users_[next_caller_].call_busy)) {
        next_caller_ = (next_caller_ + 1) % users_.size();
        ++tried;
      }
      if (tried == users_.size()) return;
      make_call(next_caller_);
      next_caller_ = (next_caller_ + 1) % users_.size();
    }
  }

  void make_call(std::size_t i) {
    User& u = users_[i];
    u.call_busy = true;
    ++calls_sent_;
    csta::MakeCall mc;
    mc.calling_device = u.line;
    mc.called_directory_number = o_.called;
    const SessionId s = u.session;
    u.client->request(s, mc, [this, i, s](Reply r) {
      User& caller = users_[i];
      const auto* made = r.csta ? std::get_if<csta::MakeCallResponse>(&r.csta->body) : nullptr;
      if (!made) {
        ++calls_failed_;
        caller.call_busy = false;
        return;
      }
      ++calls_ok_;
      rtt_ms_.push_back(r.ms);
      if (finished_ || caller.session != s || caller.state != State::signed_in) {
        caller.call_busy = false;
        return;
      }
      caller.client->request(s, csta::ClearConnection{made->calling_device},
                             [this, i](Reply) { users_[i].call_busy = false; });
    });
  }

  bool calls_done() const { return calls_ok_ + calls_failed_ >= o_.calls; }

  void finish() {
    if (finished_) return;
    finished_ = true;
    tick_.cancel();
    if (o_.sign_out)
      for (auto& u : users_)
        if (u.state == State::signed_in) {
          u.client->sign_out(u.session);
          ++signed_out_;
        }
    // The connections close once the BYEs are answered (at most 20 s: a gateway that stopped
    // answering does not hold us).
    wait_for_byes(Clock::now() + std::chrono::seconds(o_.sign_out ? 20 : 0));
  }

  void wait_for_byes(Clock::time_point until) {
    std::size_t pending = 0;
    for (auto& c : clients_)
      pending += c->transactions();
    if (pending == 0 || Clock::now() >= until) {
      for (auto& c : clients_)
        c->stop();
      if (on_finished) on_finished();
      return;
    }
    tick_.expires_after(std::chrono::milliseconds(50));
    tick_.async_wait([this, until](boost::system::error_code) { wait_for_byes(until); });
  }

  double uniform() { return std::uniform_real_distribution<double>(0, 1)(rng_); }
  double backoff() { return 0.3 * (1 + uniform()); }

  asio::io_context& io_;
  Options o_;
  asio::steady_timer tick_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<User> users_;
  std::map<std::pair<Client*, SessionId>, std::size_t> by_session_;
  std::deque<std::size_t> waiting_;  ///< never tried yet, in order
  std::multimap<Clock::time_point, std::size_t> retries_;
  std::mt19937_64 rng_{std::random_device{}()};
  Clock::time_point t0_{};
  Clock::time_point next_refresh_scan_{};
  bool finished_ = false, timed_out_ = false, stopped_ = false;
  std::size_t first_sent_ = 0, in_flight_ = 0, next_caller_ = 0;
  double all_in_ = 0, all_monitoring_ = 0, calls_started_at_ = 0, hold_from_ = 0;
  std::size_t signed_in_ = 0, monitoring_ = 0, attempts_ = 0, busy_ = 0,
              busy_without_retry_after_ = 0, no_answer_ = 0, resigns_ = 0, refreshes_ = 0,
              refresh_failures_ = 0, monitor_errors_ = 0, events_ = 0, signed_out_ = 0;
  std::uint32_t retry_after_min_ = ~0u, retry_after_max_ = 0;
  std::map<int, std::size_t> refused_;
  std::size_t calls_sent_ = 0, calls_ok_ = 0, calls_failed_ = 0;
  std::vector<double> rtt_ms_;

 public:
  std::function<void()> on_finished;  ///< after the clients have stopped
  std::string progress() const {
    char buf[160];
    std::snprintf(buf, sizeof buf,
                  "\r%.1f s: %zu/%zu signed in, %zu monitoring, %zu busy, %zu calls   ",
                  seconds_since(t0_), signed_in_, o_.users, monitoring_, busy_, calls_ok_);
    return buf;
  }
};

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"rcc-load: many Communicator users against a uaCSTA gateway or a balancer"};
  app.add_option("--target", o.target, "HOST:PORT of the gateway or balancer (TCP)");
  app.add_option("--users", o.users, "how many users")->check(CLI::Range(1, 1'000'000));
  app.add_option("--first", o.first, "index of the first user");
  app.add_option("--user-format", o.user_format, "printf pattern of the user ID (%zu: index)");
  app.add_option("--domain", o.domain, "domain of the users' sip: URIs");
  app.add_option("--line-format", o.line_format, "printf pattern of the line URI (%zu: DN)");
  app.add_option("--line-base", o.line_base, "DN of user 0");
  app.add_option("--connections", o.connections, "SIP connections the users share")
      ->check(CLI::Range(1, 1000));
  app.add_option("--local-hosts", o.local_hosts, "our addresses, cycled over the connections")
      ->delimiter(',');
  app.add_option("--sign-in-rate", o.sign_in_rate, "new sign-ins per second (0: all at once)");
  app.add_option("--window", o.window, "sign-ins in flight at most")
      ->check(CLI::Range(1, 1'000'000));
  app.add_flag("--monitor", o.monitor, "MonitorStart on each user's line after it signs in");
  app.add_option("--calls", o.calls, "MakeCall INFOs once every user is in (each then cleared)");
  app.add_option("--call-rate", o.call_rate, "of those, per second")->check(CLI::PositiveNumber);
  app.add_option("--called", o.called, "the number dialled");
  app.add_option("--hold", o.hold, "seconds to stay signed in after the calls (refreshing)");
  app.add_flag("!--no-sign-out", o.sign_out, "leave the sessions to their session timer");
  app.add_option("--retry-after-scale", o.retry_after_scale, "multiply Retry-After by this");
  app.add_option("--deadline", o.deadline, "bound of the whole run, seconds")
      ->check(CLI::PositiveNumber);
  app.add_option("--timeout", o.timeout, "bound of one transaction, seconds")
      ->check(CLI::PositiveNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  // Results on stdout; the SIP layer's own log lines (warnings only) on stderr.
  spdlog::set_default_logger(spdlog::stderr_logger_mt("rcc-load"));
  spdlog::set_level(spdlog::level::warn);

  asio::io_context io;
  Load load(io, o);
  asio::steady_timer show(io);
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int) {
    if (!ec) load.stop();
  });
  const bool tty = isatty(STDERR_FILENO);
  std::function<void()> tick = [&] {
    show.expires_after(std::chrono::milliseconds(250));
    show.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      std::cerr << load.progress() << std::flush;
      tick();
    });
  };
  load.on_finished = [&] {
    show.cancel();
    signals.cancel();
    if (tty) std::cerr << load.progress() << "\n";
  };
  if (!load.start()) return 2;
  if (tty) tick();
  io.run();  // returns once finish() has stopped the clients (the deadline bounds it)
  std::cout << load.figures().dump() << "\n";
  return load.passed() ? 0 : 1;
}
