#include "config/config.h"

#include <sys/stat.h>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "util/file.h"

namespace rcc::config {
namespace {

std::string line_of(std::string_view text, int line) {
  int current = 1;
  std::size_t start = 0;
  while (current < line) {
    const auto nl = text.find('\n', start);
    if (nl == std::string_view::npos) return {};
    start = nl + 1;
    ++current;
  }
  auto end = text.find('\n', start);
  std::string out(text.substr(start, end == std::string_view::npos ? text.npos : end - start));
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return out;
}

const char* type_name(toml::node_type t) {
  switch (t) {
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    default:
      return "nothing";
  }
}

}  // namespace

Document::Document(std::string path, std::unique_ptr<toml::table> table)
    : path_(std::move(path)), table_(std::move(table)) {}
Document::Document(Document&&) noexcept = default;
Document& Document::operator=(Document&&) noexcept = default;
Document::~Document() = default;

std::optional<std::string> locate(const std::string& explicit_path) {
  if (!explicit_path.empty()) return explicit_path;
  if (const char* env = std::getenv(kPathEnv); env && *env) return std::string(env);
  struct stat st;
  if (::stat(kDefaultPath, &st) == 0) return std::string(kDefaultPath);
  return std::nullopt;
}

Result<Document> parse(std::string_view text, const std::string& path) {
  try {
    auto table = std::make_unique<toml::table>(toml::parse(text, path));
    return Document(path, std::move(table));
  } catch (const toml::parse_error& e) {
    const auto& begin = e.source().begin;
    SourceLocation where{path, int(begin.line), int(begin.column), line_of(text, int(begin.line))};
    return Error(Errc::config_syntax, std::string(e.description()), std::move(where));
  }
}

Result<Document> load_file(const std::string& path) {
  auto text = util::read_file(path);
  if (!text) return text.error();
  return parse(*text, path);
}

Section::Section(const Document& doc, std::string name) : doc_(doc), label_("[" + name + "]") {
  if (const auto* node = doc.table().get(name)) {
    table_ = node->as_table();
    if (!table_) {
      const auto& begin = node->source().begin;
      throw Exception(Error(Errc::config_type, label_ + " must be a table",
                            SourceLocation{doc_.path(), int(begin.line), int(begin.column), {}}));
    }
  }
}

Section::Section(const Document& doc, const toml::table& table, std::string label)
    : doc_(doc), label_(std::move(label)), table_(&table) {}

std::vector<const toml::table*> Section::tables(std::string_view key) {
  std::vector<const toml::table*> out;
  const auto* node = find(key);
  if (!node) return out;
  const auto* array = node->as_array();
  if (!array)
    fail(*node, key, std::string("expected an array of tables, got ") + type_name(node->type()));
  for (const auto& element : *array) {
    const auto* t = element.as_table();
    if (!t) fail(element, key, std::string("expected a table, got ") + type_name(element.type()));
    out.push_back(t);
  }
  return out;
}

Section Section::table(std::string_view key) {
  static const toml::table empty;
  std::string label = label_;
  if (!label.empty() && label.back() == ']') label.pop_back();
  label += "." + std::string(key) + "]";
  const auto* node = find(key);
  if (!node) {
    Section s(doc_, empty, label);
    s.table_ = nullptr;
    return s;
  }
  const auto* t = node->as_table();
  if (!t) fail(*node, key, std::string("expected a table, got ") + type_name(node->type()));
  return Section(doc_, *t, label);
}

SourceLocation Section::location() const {
  if (!table_) return SourceLocation{doc_.path(), 0, 0, {}};
  const auto& begin = table_->source().begin;
  return SourceLocation{doc_.path(), int(begin.line), int(begin.column), {}};
}

void Section::fail_key(std::string_view key, const std::string& what) const {
  const toml::node* node = table_ ? table_->get(key) : nullptr;
  if (node) fail(*node, key, what);
  throw Exception(
      Error(Errc::config_type, label_ + " " + std::string(key) + ": " + what, location()));
}

void reject_unknown_sections(const Document& doc, const std::vector<std::string>& known) {
  for (const auto& [key, node] : doc.table()) {
    bool ok = false;
    for (const auto& k : known)
      ok = ok || key.str() == k;
    if (!ok) {
      const auto& begin = key.source().begin;
      throw Exception(Error(Errc::config_unknown_key,
                            "unknown section or key '" + std::string(key.str()) + "'",
                            SourceLocation{doc.path(), int(begin.line), int(begin.column), {}}));
    }
  }
}

const toml::node* Section::find(std::string_view key) {
  read_.emplace(key);
  return table_ ? table_->get(key) : nullptr;
}

void Section::fail(const toml::node& node, std::string_view key, const std::string& what) const {
  const auto& begin = node.source().begin;
  throw Exception(Error(Errc::config_type, label_ + " " + std::string(key) + ": " + what,
                        SourceLocation{doc_.path(), int(begin.line), int(begin.column), {}}));
}

std::optional<std::string> Section::string(std::string_view key) {
  const auto* node = find(key);
  if (!node) return std::nullopt;
  if (const auto* s = node->as_string()) return s->get();
  fail(*node, key, std::string("expected a string, got ") + type_name(node->type()));
}

std::optional<std::int64_t> Section::integer(std::string_view key, std::int64_t min,
                                             std::int64_t max) {
  const auto* node = find(key);
  if (!node) return std::nullopt;
  const auto* i = node->as_integer();
  if (!i) fail(*node, key, std::string("expected an integer, got ") + type_name(node->type()));
  if (i->get() < min || i->get() > max) {
    fail(*node, key,
         "must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
             std::to_string(i->get()));
  }
  return i->get();
}

std::optional<bool> Section::boolean(std::string_view key) {
  const auto* node = find(key);
  if (!node) return std::nullopt;
  if (const auto* b = node->as_boolean()) return b->get();
  fail(*node, key, std::string("expected true or false, got ") + type_name(node->type()));
}

std::optional<std::vector<std::string>> Section::strings(std::string_view key) {
  const auto* node = find(key);
  if (!node) return std::nullopt;
  const auto* array = node->as_array();
  if (!array)
    fail(*node, key, std::string("expected an array of strings, got ") + type_name(node->type()));
  std::vector<std::string> out;
  for (const auto& element : *array) {
    const auto* s = element.as_string();
    if (!s) fail(element, key, std::string("expected a string, got ") + type_name(element.type()));
    out.push_back(s->get());
  }
  return out;
}

std::optional<std::string> Section::choice(std::string_view key,
                                           const std::vector<std::string>& allowed) {
  auto value = string(key);
  if (!value) return value;
  for (const auto& a : allowed) {
    if (*value == a) return value;
  }
  std::string list;
  for (const auto& a : allowed)
    list += (list.empty() ? "" : ", ") + a;
  fail(*table_->get(key), key, "'" + *value + "' is not one of: " + list);
}

void Section::reject_unknown_keys() const {
  if (!table_) return;
  for (const auto& [key, node] : *table_) {
    if (read_.count(key.str()) == 0) {
      const auto& begin = key.source().begin;
      throw Exception(Error(Errc::config_unknown_key,
                            label_ + " unknown key '" + std::string(key.str()) + "'",
                            SourceLocation{doc_.path(), int(begin.line), int(begin.column), {}}));
    }
  }
}

}  // namespace rcc::config
