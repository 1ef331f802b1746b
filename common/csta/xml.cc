#include "csta/xml.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <cassert>
#include <climits>
#include <string>

namespace rcc::csta {
namespace {

/// Why our own SAX hooks stopped the parser (libxml2 only knows "stopped by user").
enum class Stop { none, doctype, depth };

struct ParseState {
  int depth = 0;
  int max_depth = 0;
  Stop stop = Stop::none;
};

ParseState& state_of(void* ctx) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  return *static_cast<ParseState*>(ctxt->_private);
}

void stop(void* ctx, Stop why) {
  auto& st = state_of(ctx);
  if (st.stop == Stop::none) st.stop = why;
  xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
}

// A DOCTYPE is the only door to entity declarations and external subsets: shut it at the
// declaration itself, before libxml2 reads the internal subset.
void on_internal_subset(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  stop(ctx, Stop::doctype);
}
void on_external_subset(void* ctx, const xmlChar*, const xmlChar*, const xmlChar*) {
  stop(ctx, Stop::doctype);
}
void on_entity_decl(void* ctx, const xmlChar*, int, const xmlChar*, const xmlChar*, xmlChar*) {
  stop(ctx, Stop::doctype);
}

void on_start_element(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                      const xmlChar* uri, int nb_namespaces, const xmlChar** namespaces,
                      int nb_attributes, int nb_defaulted, const xmlChar** attributes) {
  auto& st = state_of(ctx);
  if (++st.depth > st.max_depth) return stop(ctx, Stop::depth);
  xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces, nb_attributes,
                        nb_defaulted, attributes);
}

void on_end_element(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                    const xmlChar* uri) {
  --state_of(ctx).depth;
  xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

struct CtxtFree {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

std::string libxml_message(xmlParserCtxtPtr ctxt) {
  const xmlError* e = xmlCtxtGetLastError(ctxt);
  if (e == nullptr || e->message == nullptr) return "not well-formed";
  std::string m = e->message;
  while (!m.empty() && (m.back() == '\n' || m.back() == ' '))
    m.pop_back();
  return "line " + std::to_string(e->line) + ": " + m;
}

void ignore_generic_error(void*, const char*, ...) {}

void init_once() {
  // xmlInitParser is idempotent but not safe to race; a function-local static runs it once.
  static const bool done = [] {
    xmlInitParser();
    return true;
  }();
  (void)done;
}

}  // namespace

Result<XmlDoc> parse_xml(std::string_view text, const Limits& limits) {
  if (text.size() > limits.max_document_bytes || text.size() > std::size_t(INT_MAX)) {
    return Error(Errc::too_large, std::to_string(text.size()) + " bytes, limit " +
                                      std::to_string(limits.max_document_bytes));
  }
  init_once();
  // libxml2 reports some problems (encoding, I/O) through its generic error channel, which
  // prints to stderr whatever the parser options say; common/ never prints, so mute it for this
  // thread while we parse (the error text still reaches us through the parser context).
  const xmlGenericErrorFunc saved_handler = xmlGenericError;
  void* const saved_context = xmlGenericErrorContext;
  xmlSetGenericErrorFunc(nullptr, ignore_generic_error);
  struct Restore {
    xmlGenericErrorFunc handler;
    void* context;
    ~Restore() { xmlSetGenericErrorFunc(context, handler); }
  } restore{saved_handler, saved_context};
  std::unique_ptr<xmlParserCtxt, CtxtFree> ctxt(
      xmlCreateMemoryParserCtxt(text.data(), static_cast<int>(text.size())));
  if (!ctxt) return Error(Errc::malformed_xml, "empty document");
  // NONET: no network even if something asks; no NOENT/DTDLOAD/DTDATTR/XINCLUDE, ever.
  // COMPACT keeps short text inside the node (one malloc less per field); NOBLANKS drops the
  // whitespace-only text between elements, which CSTA never gives meaning to (no mixed content).
  // IGNORE_ENC: CSTA bodies are UTF-8 (docs/protocol.md); an encoding label
  // would only route hostile bytes through iconv, so it is ignored and the bytes must be UTF-8.
  xmlCtxtUseOptions(ctxt.get(), XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
                                    XML_PARSE_COMPACT | XML_PARSE_NOBLANKS | XML_PARSE_IGNORE_ENC);
  ParseState st;
  st.max_depth = limits.max_depth;
  ctxt->_private = &st;
  xmlSAXHandler* sax = ctxt->sax;
  sax->internalSubset = on_internal_subset;
  sax->externalSubset = on_external_subset;
  sax->entityDecl = on_entity_decl;
  sax->startElementNs = on_start_element;
  sax->endElementNs = on_end_element;
  xmlParseDocument(ctxt.get());
  XmlDoc doc(ctxt->myDoc);
  ctxt->myDoc = nullptr;
  switch (st.stop) {
    case Stop::doctype:
      return Error(Errc::doctype_refused, "DOCTYPE declarations are not accepted");
    case Stop::depth:
      return Error(Errc::too_deep, "more than " + std::to_string(limits.max_depth) + " levels");
    case Stop::none:
      break;
  }
  // nsWellFormed: libxml2 keeps going after a namespace error (an undeclared prefix); we do not.
  if (!ctxt->wellFormed || !ctxt->nsWellFormed || !doc ||
      xmlDocGetRootElement(doc.get()) == nullptr) {
    return Error(Errc::malformed_xml, libxml_message(ctxt.get()));
  }
  return doc;
}

std::string_view namespace_uri(const xmlNode* n) {
  if (n->ns == nullptr || n->ns->href == nullptr) return {};
  return reinterpret_cast<const char*>(n->ns->href);
}

const xmlNode* first_element(const xmlNode* parent) {
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) return c;
  }
  return nullptr;
}

const xmlNode* next_element(const xmlNode* n) {
  for (const xmlNode* c = n->next; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) return c;
  }
  return nullptr;
}

const xmlNode* child_element(const xmlNode* parent, std::string_view name) {
  for (const xmlNode* c = first_element(parent); c != nullptr; c = next_element(c)) {
    if (local_name(c) == name) return c;
  }
  return nullptr;
}

std::string text_of(const xmlNode* n) {
  std::string out;
  for (const xmlNode* c = n->children; c != nullptr; c = c->next) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) && c->content) {
      out += reinterpret_cast<const char*>(c->content);
    }
  }
  return out;
}

void append_escaped(std::string& out, std::string_view value, bool quote) {
  for (const char ch : value) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        if (quote) {
          out += "&quot;";
        } else {
          out += '"';
        }
        break;
      case '\r':
        out += "&#13;";  // a raw CR would be read back as LF (XML 1.0 §2.11)
        break;
      case '\t':
      case '\n':
        if (quote) {
          out += c == '\t' ? "&#9;" : "&#10;";  // attribute value normalization (§3.3.3)
        } else {
          out += ch;
        }
        break;
      default:
        if (c < 0x20) {
          out += "\xEF\xBF\xBD";  // XML 1.0 §2.2: not a Char
        } else {
          out += ch;
        }
    }
  }
}

XmlWriter::XmlWriter(bool declaration) {
  out_.reserve(512);
  if (declaration) out_ += R"(<?xml version="1.0" encoding="UTF-8"?>)";
}

void XmlWriter::close_start_tag() {
  if (start_tag_open_) {
    out_ += '>';
    start_tag_open_ = false;
  }
}

void XmlWriter::start(std::string_view name) {
  close_start_tag();
  out_ += '<';
  out_ += name;
  open_.push_back(name);
  start_tag_open_ = true;
}

void XmlWriter::attribute(std::string_view name, std::string_view value) {
  assert(start_tag_open_ && "attribute() only directly after start()");
  out_ += ' ';
  out_ += name;
  out_ += "=\"";
  append_escaped(out_, value, true);
  out_ += '"';
}

void XmlWriter::text(std::string_view value) {
  if (value.empty()) return;
  close_start_tag();
  append_escaped(out_, value, false);
}

void XmlWriter::end() {
  if (open_.empty()) return;
  if (start_tag_open_) {
    out_ += "/>";
    start_tag_open_ = false;
  } else {
    out_ += "</";
    out_ += open_.back();
    out_ += '>';
  }
  open_.pop_back();
}

std::string XmlWriter::finish() {
  while (!open_.empty())
    end();
  return std::move(out_);
}

}  // namespace rcc::csta
