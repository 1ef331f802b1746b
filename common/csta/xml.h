#pragma once
// A bounded, network-safe libxml2 reader and a compact, deterministic XML writer.
//
// Reading: the whole document at once (a SIP body or a CTI frame arrives whole, so there is no
// incremental form). Checked before libxml2 sees a byte: the size. Refused while parsing, by SAX
// hooks that stop the parser: any DOCTYPE (so no internal or external DTD, no entity declarations:
// billion laughs and XXE cannot start) and nesting past Limits::max_depth. libxml2 runs with
// XML_PARSE_NONET, never XML_PARSE_NOENT / DTDLOAD / DTDATTR / XINCLUDE, and reports no errors on
// stderr (the error text goes into rcc::Error's detail instead). Input is UTF-8 whatever its
// XML declaration says (XML_PARSE_IGNORE_ENC): both transports specify UTF-8.
//
// Writing: XmlWriter appends to a string, escapes text and attribute values, writes empty
// elements as <name/>, and adds no whitespace: the same message always gives the same bytes.

#include <libxml/tree.h>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "csta/errc.h"
#include "diag/error.h"

namespace rcc::csta {

/// Bounds on an XML document. CSTA documents are small and shallow: the largest example in the
/// notes is under 2 KB and 6 levels deep; a CTI frame cannot exceed 65535 bytes (ECMA-323 Annex J).
struct Limits {
  std::size_t max_document_bytes = 65536;  ///< Errc::too_large beyond this (at most INT_MAX)
  /// Errc::too_deep beyond this; the root is depth 1. libxml2 stops at 256 levels by itself
  /// (reported as malformed_xml), so values above 256 change nothing.
  int max_depth = 32;
};

struct XmlDocFree {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocFree>;

/// Parses `text` into a tree, within `limits`. Never touches the network or the file system.
Result<XmlDoc> parse_xml(std::string_view text, const Limits& limits = {});

// --- reading helpers over a parsed tree (names compare as local names) ---

/// The element's local name.
inline std::string_view local_name(const xmlNode* n) {
  return reinterpret_cast<const char*>(n->name);
}
/// Namespace URI of an element, empty when it has none.
std::string_view namespace_uri(const xmlNode* n);
/// First element child, or the next element sibling; nullptr at the end.
const xmlNode* first_element(const xmlNode* parent);
const xmlNode* next_element(const xmlNode* n);
/// First element child with local name `name`, nullptr if none.
const xmlNode* child_element(const xmlNode* parent, std::string_view name);
/// Concatenated text and CDATA children (not the text of nested elements).
std::string text_of(const xmlNode* n);

/// Compact, deterministic XML output. Names passed to start() must outlive the writer's use of
/// them (they are string literals in this codebase).
class XmlWriter {
 public:
  /// Begins with `<?xml version="1.0" encoding="UTF-8"?>` when `declaration` is true.
  explicit XmlWriter(bool declaration = true);

  void start(std::string_view name);
  /// Only directly after start().
  void attribute(std::string_view name, std::string_view value);
  void text(std::string_view value);
  void end();
  /// <name>value</name>
  void element(std::string_view name, std::string_view value) {
    start(name);
    text(value);
    end();
  }
  /// Closes every open element and hands the text over.
  std::string finish();

 private:
  void close_start_tag();
  std::string out_;
  std::vector<std::string_view> open_;
  bool start_tag_open_ = false;
};

/// Appends `value` escaped for element text (quote = false) or a double-quoted attribute. Control
/// characters that XML 1.0 cannot carry become U+FFFD; CR is written as &#13; so it survives.
void append_escaped(std::string& out, std::string_view value, bool quote);

}  // namespace rcc::csta
