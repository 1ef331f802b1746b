// rcc-normalize-test: applies Company_Phone_Number_Normalization_Rules.txt to numbers, explains
// which rule matched, lints rule files and runs the tests written in them.

#include "diag/exit_code.h"
#include "modes.h"
#include "options.h"

int main(int argc, char** argv) {
  rcc::normalize_test::Options options;
  CLI::App app{"rcc-normalize-test: test phone-number normalization rules", "rcc-normalize-test"};
  rcc::normalize_test::add_options(app, options);
  return rcc::tool::run_main(app, argc, argv, [&] {
    rcc::tool::setup_logging(options.common);
    rcc::normalize_test::resolve_defaults(options);
    return rcc::normalize_test::run(options);
  });
}
