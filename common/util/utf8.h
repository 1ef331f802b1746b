#pragma once
// Small UTF-8 helpers: validation, code point decoding, column counting.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace rcc::util {

/// Length of the sequence a lead byte starts (1 for ASCII and for stray continuation bytes).
inline std::size_t utf8_sequence_length(unsigned char lead) {
  if (lead < 0xC0) return 1;
  if (lead < 0xE0) return 2;
  if (lead < 0xF0) return 3;
  return 4;
}

/// True when `text` is well-formed UTF-8 (no overlongs, no surrogates, nothing past U+10FFFF).
bool is_valid_utf8(std::string_view text);

/// Decodes the code point at `text[pos]` and advances `pos`; returns U+FFFD for a bad sequence
/// (and advances by one byte). `pos` must be < text.size().
char32_t decode_utf8(std::string_view text, std::size_t& pos);

/// 1-based character column of byte offset `offset` in `line`.
int column_of(std::string_view line, std::size_t offset);

/// True for the code points that .NET's char.IsWhiteSpace and Unicode White_Space agree on.
bool is_unicode_space(char32_t c);

}  // namespace rcc::util
