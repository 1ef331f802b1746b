// Numbers from stdin, one per line, streamed in constant memory.
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <stdexcept>

#include "diag/exit_code.h"
#include "modes.h"
#include "output.h"

namespace rcc::normalize_test {
namespace {

using nlohmann::json;

constexpr std::size_t kReadChunk = 1u << 20;
constexpr std::size_t kFlushAt = 1u << 20;
// A number longer than this is not a phone number; it is reported and not buffered further.
constexpr std::size_t kMaxLine = 64u << 10;

class BatchRunner {
 public:
  BatchRunner(const Options& o, const rules::RuleFile& file)
      : o_(o), file_(file), normalizer_(file, o.normalize), progress_(tool::stderr_is_tty()) {
    out_.reserve(kFlushAt + kMaxLine * 2);
  }

  int run() {
    std::string buffer(kReadChunk, '\0');
    std::string carry;  // an unfinished line from the previous read
    bool overlong = false;
    while (true) {
      const ssize_t n = ::read(STDIN_FILENO, buffer.data(), buffer.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        std::perror("rcc-normalize-test: stdin");
        return exit_code::kUsage;
      }
      if (n == 0) break;
      std::string_view chunk(buffer.data(), std::size_t(n));
      while (!chunk.empty()) {
        const auto nl = chunk.find('\n');
        if (nl == std::string_view::npos) {
          if (overlong || chunk.size() > kMaxLine - carry.size()) {
            overlong = true;
          } else {
            carry.append(chunk);
          }
          break;
        }
        const std::string_view line = chunk.substr(0, nl);
        chunk.remove_prefix(nl + 1);
        if (overlong || line.size() > kMaxLine - carry.size()) {
          reject_overlong();
        } else if (!carry.empty()) {
          carry.append(line);
          one(carry);
        } else {
          one(line);
        }
        carry.clear();
        overlong = false;
      }
    }
    if (overlong) {
      reject_overlong();
    } else if (!carry.empty()) {
      one(carry);
    }
    flush();
    if (progress_) std::cerr << "\r\033[K";
    if (failed_ > 0) {
      std::cerr << "rcc-normalize-test: " << failed_ << " of " << count_
                << " numbers not normalized\n";
      return exit_code::kFailure;
    }
    return exit_code::kOk;
  }

 private:
  void one(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    ++count_;
    const auto outcome = normalizer_.normalize(line, result_);
    const bool ok = outcome.status == rules::Status::normalized;
    if (!ok) ++failed_;
    if (o_.json) {
      out_ += dump(outcome_json(line, outcome, result_, file_));
    } else {
      out_.append(line);
      out_ += '\t';
      if (ok) {
        out_ += result_;
        out_ += '\t';
        out_ += std::to_string(file_.rules[std::size_t(outcome.rule)].pattern_line);
      } else {
        out_ += '\t';
      }
    }
    out_ += '\n';
    if (out_.size() >= kFlushAt) flush();
    if (progress_ && (count_ & 0xFFFF) == 0) show_progress();
  }

  void reject_overlong() {
    ++count_;
    ++failed_;
    std::cerr << "rcc-normalize-test: stdin:" << count_ << ": line longer than " << kMaxLine
              << " bytes, not normalized\n";
    out_ += o_.json ? dump(json{{"input", nullptr},
                                {"normalized", false},
                                {"result", nullptr},
                                {"rule_line", nullptr},
                                {"reason", "line too long"}})
                    : std::string("\t\t");
    out_ += '\n';
  }

  void flush() {
    std::size_t done = 0;
    while (done < out_.size()) {
      const ssize_t n = ::write(STDOUT_FILENO, out_.data() + done, out_.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw std::runtime_error("stdout: write failed");
      done += std::size_t(n);
    }
    out_.clear();
  }

  void show_progress() {
    const auto now = std::chrono::steady_clock::now();
    if (now - last_progress_ < std::chrono::milliseconds(250)) return;
    last_progress_ = now;
    std::cerr << "\r" << count_ << " numbers, " << failed_ << " not normalized" << std::flush;
  }

  const Options& o_;
  const rules::RuleFile& file_;
  rules::Normalizer normalizer_;
  bool progress_;
  std::string out_, result_;
  std::size_t count_ = 0, failed_ = 0;
  std::chrono::steady_clock::time_point last_progress_{};
};

}  // namespace

int run_batch(const Options& o, const rules::RuleFile& file) {
  return BatchRunner(o, file).run();
}

}  // namespace rcc::normalize_test
