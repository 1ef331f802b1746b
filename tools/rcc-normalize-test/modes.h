#pragma once
// The modes of rcc-normalize-test. run() picks one; each returns the exit code, writes results
// on stdout and problems on stderr.

#include "options.h"
#include "rules/rule_file.h"

namespace rcc::normalize_test {

int run(const Options& options);

int run_arguments(const Options& options, const rules::RuleFile& file);  // modes.cc
int run_batch(const Options& options, const rules::RuleFile& file);      // batch.cc
int run_explain(const Options& options, const rules::RuleFile& file);    // explain.cc
int run_self_test(const Options& options, const rules::RuleFile& file);  // file_checks.cc
int run_check(const Options& options, const rules::RuleFile& file);      // file_checks.cc

}  // namespace rcc::normalize_test
