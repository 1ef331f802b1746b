#pragma once
// --check: problems in a rules file that make rules fail or behave other than intended.

#include <string>
#include <vector>

#include "diag/error.h"
#include "rules/rule_file.h"
#include "rules/rule_set.h"

namespace rcc::rules {

enum class Severity { warning, error };

struct Finding {
  Severity severity = Severity::warning;
  std::string check;  ///< a stable name: invalid-pattern, unknown-group, duplicate-pattern, ...
  std::string message;
  SourceLocation where;
};

/// Every finding for `file`, in line order. `options.preprocess == lync` adds the
/// lync-stripped check (rules that need a character Lync removes before matching).
std::vector<Finding> lint(const RuleFile& file, const NormalizeOptions& options);

/// "file:line:column: error: message [check]" and the caret lines.
std::string render(const Finding& finding);

}  // namespace rcc::rules
