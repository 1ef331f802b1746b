#include "report.h"

namespace rcc::troubleshoot {

using nlohmann::json;

const char* status_name(Status s) {
  switch (s) {
    case Status::pass:
      return "PASS";
    case Status::warn:
      return "WARN";
    case Status::fail:
      return "FAIL";
    case Status::skip:
      return "SKIP";
  }
  return "?";
}

namespace {

int rank(Status s) {
  switch (s) {
    case Status::skip:
      return 0;
    case Status::pass:
      return 1;
    case Status::warn:
      return 2;
    case Status::fail:
      return 3;
  }
  return 0;
}

const char* colour_of(Status s) {
  switch (s) {
    case Status::pass:
      return "\033[32m";
    case Status::warn:
      return "\033[33m";
    case Status::fail:
      return "\033[31m";
    case Status::skip:
      return "\033[2m";
  }
  return "";
}

}  // namespace

Status worse(Status a, Status b) {
  return rank(a) >= rank(b) ? a : b;
}

Check& Report::add(std::string id, Status status, std::string reason, std::string fix) {
  Check c;
  c.id = std::move(id);
  c.status = status;
  c.reason = std::move(reason);
  if (status == Status::warn || status == Status::fail) c.fix = std::move(fix);
  checks_.push_back(std::move(c));
  return checks_.back();
}

Status Report::worst() const {
  Status w = Status::pass;
  for (const auto& c : checks_)
    w = worse(w, c.status);
  return w;
}

std::size_t Report::count(Status s) const {
  std::size_t n = 0;
  for (const auto& c : checks_)
    n += c.status == s;
  return n;
}

json to_json(const Check& c) {
  return json{{"id", c.id},
              {"status", status_name(c.status)},
              {"reason", c.reason},
              {"fix", c.fix.empty() ? json(nullptr) : json(c.fix)},
              {"evidence", c.evidence}};
}

json to_json(const Report& r) {
  json list = json::array();
  for (const auto& c : r.checks())
    list.push_back(to_json(c));
  return json{{"checks", list},
              {"result", status_name(r.worst())},
              {"passed", r.count(Status::pass)},
              {"warnings", r.count(Status::warn)},
              {"failed", r.count(Status::fail)},
              {"skipped", r.count(Status::skip)}};
}

void print(std::ostream& out, const Report& r, bool colour, bool only_problems,
           const std::string& prefix) {
  for (const auto& c : r.checks()) {
    if (only_problems && c.status != Status::warn && c.status != Status::fail) continue;
    out << prefix;
    if (colour) out << colour_of(c.status);
    out << status_name(c.status);
    if (colour) out << "\033[0m";
    out << ' ' << c.id << ": " << c.reason << '\n';
    if (!c.fix.empty()) out << prefix << "     fix: " << c.fix << '\n';
  }
}

std::string summary(const Report& r) {
  return std::string("result: ") + status_name(r.worst()) + " (" +
         std::to_string(r.count(Status::pass)) + " passed, " +
         std::to_string(r.count(Status::warn)) + " warned, " +
         std::to_string(r.count(Status::fail)) + " failed, " +
         std::to_string(r.count(Status::skip)) + " skipped)";
}

std::string dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace rcc::troubleshoot
