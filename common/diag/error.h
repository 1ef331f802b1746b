#pragma once
// rcc::Error, rcc::Result<T> and rcc::Exception: how every part of the toolkit reports failure.
//
// Code that handles network input or file content returns Result<T>; setup code (config, command
// lines) may throw Exception, which main() turns into one message and an exit code.

#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>

namespace rcc {

/// Where in a file a problem is. Line and column are 1-based; 0 means unknown.
/// The column counts characters (UTF-8 code points), as an editor shows them.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  std::string line_text;  ///< the offending line without its line end, for the caret display
};

/// Errors that belong to no protocol area: files, configuration, command-line values.
enum class Errc {
  file_not_found = 1,  ///< a named file does not exist
  file_unreadable,     ///< it exists but cannot be opened or read
  config_syntax,       ///< the TOML parser refused the file
  config_type,         ///< a key holds a value of the wrong type or out of range
  config_unknown_key,  ///< a key that no part of the toolkit reads (a typo, usually)
  invalid_argument,    ///< a value given on the command line or by a caller is unusable
};
const std::error_category& generic_category();
std::error_code make_error_code(Errc e);

class Error {
 public:
  Error(std::error_code code, std::string detail, std::optional<SourceLocation> where = {})
      : code_(code), detail_(std::move(detail)), where_(std::move(where)) {}

  const std::error_code& code() const { return code_; }
  const std::string& detail() const { return detail_; }
  const std::optional<SourceLocation>& where() const { return where_; }

  /// One line, GNU style: "file:line:column: detail" (parts that are unknown are left out).
  std::string message() const;
  /// message(), then, when the line is known, the line and a caret under the column.
  std::string render() const;

 private:
  std::error_code code_;
  std::string detail_;
  std::optional<SourceLocation> where_;
};

/// "file:line:column: " with unknown parts left out; empty when there is no file.
std::string location_prefix(const SourceLocation& where);
/// The line text indented by four spaces, and a caret under `where.column`.
std::string caret_lines(const SourceLocation& where);

/// A value or an Error (shaped like tl::expected; std::expected is C++23).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool has_value() const { return !error_; }
  explicit operator bool() const { return has_value(); }
  const Error& error() const { return *error_; }

 private:
  std::optional<Error> error_;
};

/// Thrown only by setup code (configuration, option values); caught in main().
class Exception : public std::exception {
 public:
  explicit Exception(Error error) : error_(std::move(error)), what_(error_.message()) {}
  const Error& error() const { return error_; }
  const char* what() const noexcept override { return what_.c_str(); }

 private:
  Error error_;
  std::string what_;
};

}  // namespace rcc

template <>
struct std::is_error_code_enum<rcc::Errc> : std::true_type {};
