#pragma once

#include "options.h"

namespace rcc::normalize_test {

/// Runs the mode `options` asks for; returns the exit code. Output on stdout, problems on stderr.
int run(const Options& options);

}  // namespace rcc::normalize_test
