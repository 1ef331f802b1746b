#pragma once
// Reading whole files with errors that name the file.

#include <string>

#include "diag/error.h"

namespace rcc::util {

/// Largest file read_file() accepts; configuration and rule files are far smaller.
constexpr std::size_t kMaxFileBytes = 64u << 20;

/// Reads a whole file; "-" is not special here. Errors: file_not_found, file_unreadable.
Result<std::string> read_file(const std::string& path, std::size_t max_bytes = kMaxFileBytes);

}  // namespace rcc::util
