#include "diag/error.h"

#include "util/utf8.h"

namespace rcc {
namespace {

class GenericCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "rcc"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::file_not_found:
        return "file not found";
      case Errc::file_unreadable:
        return "file cannot be read";
      case Errc::config_syntax:
        return "configuration syntax error";
      case Errc::config_type:
        return "configuration value of the wrong type";
      case Errc::config_unknown_key:
        return "unknown configuration key";
      case Errc::invalid_argument:
        return "invalid argument";
    }
    return "unknown error";
  }
};

}  // namespace

const std::error_category& generic_category() {
  static const GenericCategory category;
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), generic_category()};
}

std::string location_prefix(const SourceLocation& where) {
  if (where.file.empty()) return {};
  std::string out = where.file;
  if (where.line > 0) {
    out += ':' + std::to_string(where.line);
    if (where.column > 0) out += ':' + std::to_string(where.column);
  }
  out += ": ";
  return out;
}

std::string caret_lines(const SourceLocation& where) {
  if (where.line <= 0 || where.column <= 0) return {};
  std::string out = "    " + where.line_text + "\n    ";
  // Keep tabs so that the caret lines up with the text above it.
  std::size_t chars = 0;
  for (std::size_t i = 0; i < where.line_text.size() && chars + 1 < std::size_t(where.column);) {
    const char c = where.line_text[i];
    out += c == '\t' ? '\t' : ' ';
    i += util::utf8_sequence_length(static_cast<unsigned char>(c));
    ++chars;
  }
  for (; chars + 1 < std::size_t(where.column); ++chars)
    out += ' ';
  out += "^\n";
  return out;
}

std::string Error::message() const {
  return (where_ ? location_prefix(*where_) : std::string()) + detail_;
}

std::string Error::render() const {
  std::string out = message() + '\n';
  if (where_) out += caret_lines(*where_);
  return out;
}

}  // namespace rcc
