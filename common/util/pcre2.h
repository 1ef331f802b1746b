#pragma once
// PCRE2 (8-bit) handles owned by std::unique_ptr, and its error text. The one place that frees
// them.

#ifndef PCRE2_CODE_UNIT_WIDTH
#define PCRE2_CODE_UNIT_WIDTH 8
#endif
#include <pcre2.h>

#include <memory>
#include <string>

namespace rcc::util {

struct Pcre2Free {
  void operator()(pcre2_code* p) const { pcre2_code_free(p); }
  void operator()(pcre2_match_data* p) const { pcre2_match_data_free(p); }
  void operator()(pcre2_compile_context* p) const { pcre2_compile_context_free(p); }
  void operator()(pcre2_match_context* p) const { pcre2_match_context_free(p); }
};
using Pcre2Code = std::unique_ptr<pcre2_code, Pcre2Free>;
using Pcre2MatchData = std::unique_ptr<pcre2_match_data, Pcre2Free>;
using Pcre2CompileContext = std::unique_ptr<pcre2_compile_context, Pcre2Free>;
using Pcre2MatchContext = std::unique_ptr<pcre2_match_context, Pcre2Free>;

/// PCRE2's own text for an error code (compile or match).
std::string pcre2_error_message(int code);

}  // namespace rcc::util
