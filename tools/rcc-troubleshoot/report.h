#pragma once
// What rcc-troubleshoot reports: a list of checks, each with a stable id, a status, the reason,
// the fix (unless it passed) and the evidence it judged by; printed as text or JSON.

#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace rcc::troubleshoot {

/// skip: the check could not run here (no TLS listener, no --ocs, an earlier check failed); it
/// counts as neither a pass nor a failure.
enum class Status { pass, warn, fail, skip };
const char* status_name(Status s);  ///< "PASS", "WARN", "FAIL", "SKIP"
/// The worse of two statuses: fail > warn > pass > skip.
Status worse(Status a, Status b);

struct Check {
  std::string id;  ///< stable: "config", "user-lookup", "line-uri-dialstring", ...
  Status status = Status::pass;
  std::string reason;
  std::string fix;  ///< empty for PASS and SKIP
  nlohmann::json evidence = nlohmann::json::object();
};

/// The checks of one run, in the order they ran.
class Report {
 public:
  Check& add(std::string id, Status status, std::string reason, std::string fix = {});
  Check& pass(std::string id, std::string reason) {
    return add(std::move(id), Status::pass, reason);
  }
  Check& skip(std::string id, std::string reason) {
    return add(std::move(id), Status::skip, reason);
  }
  Check& warn(std::string id, std::string reason, std::string fix) {
    return add(std::move(id), Status::warn, std::move(reason), std::move(fix));
  }
  Check& fail(std::string id, std::string reason, std::string fix) {
    return add(std::move(id), Status::fail, std::move(reason), std::move(fix));
  }
  const std::vector<Check>& checks() const { return checks_; }
  /// The worst status (skip ranks below pass).
  Status worst() const;
  std::size_t count(Status s) const;

 private:
  std::vector<Check> checks_;
};

nlohmann::json to_json(const Check& c);
nlohmann::json to_json(const Report& r);

/// One line per check, "PASS id: reason", the fix indented under it; `colour` adds ANSI colours
/// to the status word. `only_problems` prints WARN and FAIL lines only (--all).
void print(std::ostream& out, const Report& r, bool colour, bool only_problems = false,
           const std::string& prefix = {});
/// "result: FAIL (12 passed, 1 warned, 1 failed, 2 skipped)".
std::string summary(const Report& r);

/// nlohmann::json::dump that replaces invalid UTF-8 instead of throwing.
std::string dump(const nlohmann::json& j);

}  // namespace rcc::troubleshoot
