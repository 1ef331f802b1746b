#include "util/systemd.h"

#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <vector>

#include <spdlog/sinks/base_sink.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

namespace rcc::util::systemd {
namespace {

int priority(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
    case spdlog::level::debug:
      return LOG_DEBUG;
    case spdlog::level::info:
      return LOG_INFO;
    case spdlog::level::warn:
      return LOG_WARNING;
    case spdlog::level::err:
      return LOG_ERR;
    case spdlog::level::critical:
      return LOG_CRIT;
    default:
      return LOG_INFO;
  }
}

class JournalSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  explicit JournalSink(std::string_view identifier)
      : identifier_("SYSLOG_IDENTIFIER=" + std::string(identifier)) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    const std::string_view payload(msg.payload.data(), msg.payload.size());
    std::vector<std::string> fields;
    fields.push_back("MESSAGE=" + std::string(msg.logger_name.data(), msg.logger_name.size()) +
                     ": " + std::string(payload));
    fields.push_back("PRIORITY=" + std::to_string(priority(msg.level)));
    fields.push_back(identifier_);
    for (auto& f : journal_fields(payload))
      fields.push_back(std::move(f));
    std::vector<iovec> iov;
    for (auto& f : fields)
      iov.push_back({f.data(), f.size()});
    sd_journal_sendv(iov.data(), int(iov.size()));
  }
  void flush_() override {}

 private:
  std::string identifier_;
};

}  // namespace

bool notify(std::string_view state) {
  return sd_notify(0, std::string(state).c_str()) > 0;
}

std::optional<std::chrono::microseconds> watchdog_interval() {
  std::uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

bool stderr_is_journal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (!env || !*env) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st {};
  if (::fstat(2, &st) != 0) return false;
  return st.st_dev == dev && st.st_ino == ino;
}

std::shared_ptr<spdlog::sinks::sink> journal_sink(std::string_view identifier) {
  return std::make_shared<JournalSink>(identifier);
}

std::vector<std::string> journal_fields(std::string_view text) {
  static constexpr std::pair<std::string_view, std::string_view> kKeys[] = {
      {"session=", "SESSION="}, {"user=", "USER="},       {"line=", "LINE="},
      {"node=", "NODE="},       {"call-id=", "CALL_ID="},
  };
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    // at the start of a word
    const bool word_start = i == 0 || text[i - 1] == ' ';
    bool matched = false;
    if (word_start) {
      for (const auto& [key, field] : kKeys) {
        if (text.substr(i, key.size()) != key) continue;
        std::size_t v = i + key.size(), end;
        std::string value;
        if (v < text.size() && text[v] == '"') {
          end = text.find('"', v + 1);
          if (end == std::string_view::npos) end = text.size();
          value = std::string(text.substr(v + 1, end - v - 1));
          ++end;
        } else {
          end = text.find(' ', v);
          if (end == std::string_view::npos) end = text.size();
          value = std::string(text.substr(v, end - v));
        }
        if (!value.empty()) out.push_back(std::string(field) + value);
        i = end;
        matched = true;
        break;
      }
    }
    if (!matched) ++i;
  }
  return out;
}

}  // namespace rcc::util::systemd
