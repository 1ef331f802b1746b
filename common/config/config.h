#pragma once
// The toolkit's one configuration file: TOML, read with toml++.
//
// Every tool finds its file the same way (locate()), loads it the same way (load_file()), and
// reads its own section through a Section, which reports a wrong type or an unknown key as
// "file:line:column: [section] key: what is wrong". The shared file is /etc/rcc/rcc.toml:
//
//   [normalize]            # rcc-normalize-test
//   rules = "/etc/rcc/Company_Phone_Number_Normalization_Rules.txt"

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "diag/error.h"

namespace toml {
inline namespace v3 {
class table;
class node;
}  // namespace v3
}  // namespace toml

namespace rcc::config {

constexpr const char* kDefaultPath = "/etc/rcc/rcc.toml";
constexpr const char* kPathEnv = "RCC_CONFIG";

/// A parsed configuration file. Cheap to move.
class Document {
 public:
  Document(std::string path, std::unique_ptr<toml::table> table);
  Document(Document&&) noexcept;
  Document& operator=(Document&&) noexcept;
  ~Document();

  const std::string& path() const { return path_; }
  const toml::table& table() const { return *table_; }

 private:
  std::string path_;
  std::unique_ptr<toml::table> table_;
};

/// Which file to read: `explicit_path` if given, else $RCC_CONFIG if set, else /etc/rcc/rcc.toml
/// if it exists, else none (every tool works without a config file).
std::optional<std::string> locate(const std::string& explicit_path);

/// Throws for the first top-level key of `doc` that is not in `known` (a misspelt section).
void reject_unknown_sections(const Document& doc, const std::vector<std::string>& known);

/// Reads and parses a file; errors name file:line:column.
Result<Document> load_file(const std::string& path);
/// Parses text that came from `path` (used by tests and by load_file).
Result<Document> parse(std::string_view text, const std::string& path);

/// One table of a Document: a `[name]` section, or any table inside it (an element of a
/// `[[name]]` array, an inline table). A missing section reads as empty. Getters throw
/// rcc::Exception with the key's file:line:column when the value has the wrong type; messages
/// start with the section's label ("[normalize] rules: ...").
class Section {
 public:
  Section(const Document& doc, std::string name);
  Section(const Document& doc, const toml::table& table, std::string label);

  /// The tables of an array of tables (`[[key]]` or `key = [{...}, {...}]`); empty when absent.
  std::vector<const toml::table*> tables(std::string_view key);
  /// The table under `key` (`[name.key]`, or an inline table) as a Section labelled
  /// "[name.key]"; a missing key reads as an empty section.
  Section table(std::string_view key);
  /// Where the table starts, for errors about the whole table.
  SourceLocation location() const;
  const std::string& label() const { return label_; }
  /// Throws rcc::Exception for `key` of this table with `what`.
  [[noreturn]] void fail_key(std::string_view key, const std::string& what) const;

  std::optional<std::string> string(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::vector<std::string>> strings(std::string_view key);
  /// A string that must be one of `allowed`.
  std::optional<std::string> choice(std::string_view key, const std::vector<std::string>& allowed);

  /// Throws for the first key of the section that no getter asked for (a typo, usually).
  void reject_unknown_keys() const;

 private:
  const toml::node* find(std::string_view key);
  [[noreturn]] void fail(const toml::node& node, std::string_view key,
                         const std::string& what) const;

  const Document& doc_;
  std::string label_;
  const toml::table* table_ = nullptr;
  std::set<std::string, std::less<>> read_;
};

}  // namespace rcc::config
