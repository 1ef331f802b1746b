#include "sip/headers.h"

#include <array>
#include <cstring>
#include <limits>
#include <utility>

#include "sip/error.h"

namespace rcc::sip {
namespace {

Error bad(std::string detail) {
  return Error(Errc::bad_header_value, std::move(detail));
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}
std::string lowered(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = lower(c);
  return out;
}
bool is_ws(char c) {
  return c == ' ' || c == '\t';
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// A cursor over one header value. Every method leaves the cursor unchanged when it fails.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  std::size_t pos() const { return pos_; }
  std::string_view rest() const { return s_.substr(pos_); }
  void skip_ws() {
    while (!done() && is_ws(s_[pos_]))
      ++pos_;
  }
  bool eat(char c) {
    if (peek() != c || done()) return false;
    ++pos_;
    return true;
  }
  // SWS c SWS, as RFC 3261 §25.1 writes SEMI, EQUAL, SLASH, COLON.
  bool eat_sep(char c) {
    const std::size_t save = pos_;
    skip_ws();
    if (!eat(c)) {
      pos_ = save;
      return false;
    }
    skip_ws();
    return true;
  }
  std::string_view token() {
    const std::size_t start = pos_;
    while (!done() && is_token_char(s_[pos_]))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // Characters of a gen-value that is not quoted: token plus what hosts and IPv6 add.
  std::string_view gen_value() {
    const std::size_t start = pos_;
    while (!done() &&
           (is_token_char(s_[pos_]) || s_[pos_] == ':' || s_[pos_] == '[' || s_[pos_] == ']'))
      ++pos_;
    return s_.substr(start, pos_ - start);
  }
  // quoted-string: returns false on an unterminated string or a bad quoted-pair.
  bool quoted(std::string& out, bool keep = true) {
    if (peek() != '"') return false;
    std::size_t i = pos_ + 1;
    std::string value;
    while (i < s_.size()) {
      const char c = s_[i];
      if (c == '"') {
        pos_ = i + 1;
        out = std::move(value);
        return true;
      }
      if (c == '\\') {
        // quoted-pair = "\" (%x00-09 / %x0B-0C / %x0E-7F)
        if (i + 1 >= s_.size()) return false;
        const unsigned char q = static_cast<unsigned char>(s_[i + 1]);
        if (q == 0x0A || q == 0x0D || q > 0x7F) return false;
        if (keep) value += char(q);
        i += 2;
        continue;
      }
      if (keep) value += c;
      ++i;
    }
    return false;
  }

 private:
  std::string_view s_;
  std::size_t pos_ = 0;
};

// *( SEMI generic-param ) up to the end of the value or a character the caller handles.
// kBuild false: check the grammar only, building nothing (the parser's validation pass).
template <bool kBuild>
bool parse_params(Scanner& sc, Params& params) {
  while (sc.eat_sep(';')) {
    Param p;
    const auto name = sc.token();
    if (name.empty()) return false;
    if constexpr (kBuild) p.name = std::string(name);
    if (sc.eat_sep('=')) {
      p.has_value = true;
      if (sc.peek() == '"') {
        if (!sc.quoted(p.value, kBuild)) return false;
        p.quoted = true;
      } else {
        const auto v = sc.gen_value();
        if (v.empty()) return false;
        if constexpr (kBuild) p.value = std::string(v);
      }
    }
    if constexpr (kBuild) params.push_back(std::move(p));
  }
  return true;
}

bool valid_uri_text(std::string_view uri) {
  if (!is_absolute_uri(uri)) return false;
  for (const char c : uri) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7F || c == '<' || c == '>' || c == '"') return false;
  }
  return true;
}

template <bool kBuild>
bool parse_host_port(Scanner& sc, Via& via) {
  std::string_view rest = sc.rest();
  std::size_t n = 0;
  if (!rest.empty() && rest[0] == '[') {
    const auto close = rest.find(']');
    if (close == std::string_view::npos) return false;
    for (std::size_t i = 1; i < close; ++i) {
      const char c = rest[i];
      if (!(is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'f') || c == ':' || c == '.'))
        return false;
    }
    n = close + 1;
  } else {
    while (n < rest.size() &&
           (is_alpha(rest[n]) || is_digit(rest[n]) || rest[n] == '-' || rest[n] == '.'))
      ++n;
    if (n == 0) return false;
  }
  via.host = std::string(rest.substr(0, n));
  for (std::size_t i = 0; i < n; ++i)
    sc.eat(rest[i]);
  if (sc.eat_sep(':')) {
    std::uint32_t port = 0;
    std::size_t digits = 0;
    while (is_digit(sc.peek())) {
      port = port * 10 + std::uint32_t(sc.peek() - '0');
      if (port > 65535) return false;
      sc.eat(sc.peek());
      ++digits;
    }
    if (digits == 0) return false;
    via.port = static_cast<std::uint16_t>(port);
  }
  return true;
}

template <bool kBuild>
Result<Via> parse_via(std::string_view value) {
  Scanner sc(value);
  sc.skip_ws();
  const auto proto = sc.token();
  if (!iequals(proto, "SIP")) return bad("Via: protocol is not SIP");
  if (!sc.eat_sep('/')) return bad("Via: expected '/' after SIP");
  const auto version = sc.token();
  if (version != "2.0") return bad("Via: SIP version is not 2.0");
  if (!sc.eat_sep('/')) return bad("Via: expected '/' before the transport");
  const auto transport = sc.token();
  if (transport.empty()) return bad("Via: no transport");
  Via via;
  if constexpr (kBuild) {
    via.transport.assign(transport.begin(), transport.end());
    for (char& c : via.transport)
      if (c >= 'a' && c <= 'z') c = char(c - 'a' + 'A');
  }
  const std::size_t before = sc.pos();
  sc.skip_ws();
  if (sc.pos() == before) return bad("Via: no space before sent-by");
  if (!parse_host_port<kBuild>(sc, via)) return bad("Via: malformed sent-by");
  if (!parse_params<kBuild>(sc, via.params)) return bad("Via: malformed parameter");
  sc.skip_ws();
  if (!sc.done()) return bad("Via: unexpected text after the parameters");
  return via;
}

}  // namespace

namespace {
// RFC 3261 §25.1 token characters, as a table: the parser asks this for every name byte.
struct TokenTable {
  std::array<bool, 256> t{};
  TokenTable() {
    for (int c = 0; c < 256; ++c) {
      const char ch = char(c);
      t[std::size_t(c)] = is_alpha(ch) || is_digit(ch);
    }
    for (const char c : std::string_view("-.!%*_+`'~"))
      t[static_cast<unsigned char>(c)] = true;
  }
};
const TokenTable kTokenTable;
}  // namespace

bool is_token_char(char c) {
  return kTokenTable.t[static_cast<unsigned char>(c)];
}

bool is_token(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s)
    if (!is_token_char(c)) return false;
  return true;
}

bool is_absolute_uri(std::string_view uri) {
  const auto colon = uri.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 >= uri.size()) return false;
  if (!is_alpha(uri[0])) return false;
  for (std::size_t i = 1; i < colon; ++i) {
    const char c = uri[i];
    if (!(is_alpha(c) || is_digit(c) || c == '+' || c == '-' || c == '.')) return false;
  }
  return true;
}

std::string uri_scheme(std::string_view uri) {
  const auto colon = uri.find(':');
  return colon == std::string_view::npos ? std::string() : lowered(uri.substr(0, colon));
}

const Param* find_param(const Params& params, std::string_view name) {
  for (const auto& p : params)
    if (iequals(p.name, name)) return &p;
  return nullptr;
}

void append_params(std::string& out, const Params& params) {
  for (const auto& p : params) {
    out += ';';
    out += p.name;
    if (!p.has_value) continue;
    out += '=';
    if (!p.quoted) {
      out += p.value;
      continue;
    }
    out += '"';
    for (const char c : p.value) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
}

std::string_view Via::branch() const {
  const Param* p = find_param(params, "branch");
  return p ? std::string_view(p->value) : std::string_view();
}

std::string Via::to_string() const {
  std::string out = "SIP/2.0/" + transport + ' ' + host;
  if (port) out += ':' + std::to_string(*port);
  append_params(out, params);
  return out;
}

std::string_view NameAddr::tag() const {
  const Param* p = find_param(params, "tag");
  return p ? std::string_view(p->value) : std::string_view();
}

std::string NameAddr::to_string() const {
  if (star) return "*";
  std::string out;
  if (!display_name.empty()) {
    out += '"';
    for (const char c : display_name) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += "\" ";
  }
  out += '<';
  out += uri;
  out += '>';
  append_params(out, params);
  return out;
}

bool MediaType::is(std::string_view t, std::string_view s) const {
  return iequals(type, t) && iequals(subtype, s);
}

namespace {
enum class ListScan { ok, empty_element, open_quote, open_angle, refused };

// Calls item(std::string_view) for each element of a comma list (commas inside quotes and <>
// do not count) without building anything; stops at the first problem and says which.
template <class F>
ListScan scan_list(std::string_view value, F&& item) {
  std::size_t start = 0;
  bool in_quote = false;
  bool in_angle = false;
  auto emit = [&](std::size_t end) {
    const std::string_view it = util::trim(value.substr(start, end - start));
    if (it.empty()) return ListScan::empty_element;
    return item(it) ? ListScan::ok : ListScan::refused;
  };
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    if (in_quote) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_quote = false;
      }
    } else if (in_angle) {
      if (c == '>') in_angle = false;
    } else if (c == '"') {
      in_quote = true;
    } else if (c == '<') {
      in_angle = true;
    } else if (c == ',') {
      if (const auto r = emit(i); r != ListScan::ok) return r;
      start = i + 1;
    }
  }
  if (in_quote) return ListScan::open_quote;
  if (in_angle) return ListScan::open_angle;
  return emit(value.size());
}

// True when every element is well formed and item accepted it.
template <class F>
bool for_each_item(std::string_view value, F&& item) {
  return scan_list(value, std::forward<F>(item)) == ListScan::ok;
}
}  // namespace

Result<std::vector<std::string_view>> split_list(std::string_view value) {
  std::vector<std::string_view> items;
  switch (scan_list(value, [&](std::string_view it) {
    items.push_back(it);
    return true;
  })) {
    case ListScan::ok:
    case ListScan::refused:  // never: the lambda accepts every element
      return items;
    case ListScan::empty_element:
      return bad("empty element in a comma-separated list");
    case ListScan::open_quote:
      return bad("unterminated quoted string");
    case ListScan::open_angle:
      return bad("unterminated '<'");
  }
  return items;
}

Result<std::vector<Via>> parse_via_list(std::string_view value) {
  auto items = split_list(value);
  if (!items) return items.error();
  std::vector<Via> vias;
  vias.reserve(items->size());
  for (const auto item : *items) {
    auto via = parse_via<true>(item);
    if (!via) return via.error();
    vias.push_back(std::move(*via));
  }
  return vias;
}

namespace {
template <bool kBuild>
Result<NameAddr> name_addr(std::string_view value, bool allow_star) {
  NameAddr out;
  Scanner sc(value);
  sc.skip_ws();
  if (allow_star && sc.rest() == "*") {
    out.star = true;
    return out;
  }
  // display-name: quoted-string, or *(token LWS) in front of '<'.
  if (sc.peek() == '"') {
    if (!sc.quoted(out.display_name, kBuild)) return bad("unterminated quoted display name");
    sc.skip_ws();
    if (sc.peek() != '<') return bad("display name without <URI>");
  } else {
    const auto lt = value.find('<');
    if (lt != std::string_view::npos) {
      std::string_view words = value.substr(sc.pos(), lt - sc.pos());
      while (!words.empty() && is_ws(words.back()))
        words.remove_suffix(1);
      for (const char c : words)
        if (!is_token_char(c) && !is_ws(c)) return bad("display name is not a token list");
      if constexpr (kBuild) {
        std::string collapsed;
        bool space = false;
        for (const char c : words) {
          if (is_ws(c)) {
            space = true;
            continue;
          }
          if (space && !collapsed.empty()) collapsed += ' ';
          space = false;
          collapsed += c;
        }
        out.display_name = std::move(collapsed);
      }
      while (sc.pos() < lt)
        sc.eat(sc.peek());
    }
  }
  if (sc.eat('<')) {
    const auto rest = sc.rest();
    const auto gt = rest.find('>');
    if (gt == std::string_view::npos) return bad("'<' without '>'");
    const auto uri = rest.substr(0, gt);
    if (!valid_uri_text(uri)) return bad("malformed URI in <...>");
    if constexpr (kBuild) out.uri = std::string(uri);
    out.angle = true;
    for (std::size_t i = 0; i <= gt; ++i)
      sc.eat(sc.peek());
  } else {
    // addr-spec: the URI ends at the first ';' (which starts header parameters). RFC 3261
    // §20: a URI with ',', '?' or ';' of its own must be in angle brackets.
    const auto rest = sc.rest();
    std::size_t end = 0;
    while (end < rest.size() && rest[end] != ';' && !is_ws(rest[end]))
      ++end;
    const auto uri = rest.substr(0, end);
    if (!valid_uri_text(uri)) return bad("malformed addr-spec");
    if (uri.find_first_of("?,") != std::string_view::npos)
      return bad("URI with '?' or ',' must be in angle brackets");
    if constexpr (kBuild) out.uri = std::string(uri);
    for (std::size_t i = 0; i < end; ++i)
      sc.eat(sc.peek());
  }
  if (!parse_params<kBuild>(sc, out.params)) return bad("malformed header parameter");
  sc.skip_ws();
  if (!sc.done()) return bad("unexpected text after the address");
  return out;
}
}  // namespace

Result<NameAddr> parse_name_addr(std::string_view value, bool allow_star) {
  return name_addr<true>(value, allow_star);
}

bool valid_name_addr(std::string_view value) {
  return name_addr<false>(value, false).has_value();
}

bool valid_name_addr_list(std::string_view value, bool allow_star) {
  // "*" is allowed only as the whole value (RFC 3261 §20.10).
  if (allow_star) {
    std::string_view v = value;
    while (!v.empty() && is_ws(v.front()))
      v.remove_prefix(1);
    while (!v.empty() && is_ws(v.back()))
      v.remove_suffix(1);
    if (v == "*") return true;
  }
  return for_each_item(
      value, [](std::string_view item) { return name_addr<false>(item, false).has_value(); });
}

bool valid_via_list(std::string_view value) {
  return for_each_item(value,
                       [](std::string_view item) { return parse_via<false>(item).has_value(); });
}

Result<std::vector<NameAddr>> parse_name_addr_list(std::string_view value, bool allow_star) {
  auto items = split_list(value);
  if (!items) return items.error();
  std::vector<NameAddr> out;
  out.reserve(items->size());
  for (const auto item : *items) {
    auto na = parse_name_addr(item, allow_star && items->size() == 1);
    if (!na) return na.error();
    out.push_back(std::move(*na));
  }
  return out;
}

namespace {
// 1*DIGIT into a uint64, refusing overflow past `max`.
bool parse_decimal(std::string_view s, std::uint64_t max, std::uint64_t& out) {
  if (s.empty()) return false;
  std::uint64_t v = 0;
  for (const char c : s) {
    if (!is_digit(c)) return false;
    const std::uint64_t d = std::uint64_t(c - '0');
    if (v > (max - d) / 10) return false;
    v = v * 10 + d;
  }
  out = v;
  return true;
}
}  // namespace

Result<CSeq> parse_cseq(std::string_view value) {
  Scanner sc(value);
  sc.skip_ws();
  const std::size_t start = sc.pos();
  while (is_digit(sc.peek()))
    sc.eat(sc.peek());
  std::uint64_t n = 0;
  if (!parse_decimal(value.substr(start, sc.pos() - start), 0x7FFFFFFF, n))
    return bad("CSeq number is not a decimal below 2**31");
  const std::size_t before = sc.pos();
  sc.skip_ws();
  if (sc.pos() == before) return bad("CSeq: no space before the method");
  const auto method = sc.token();
  sc.skip_ws();
  if (method.empty() || !sc.done()) return bad("CSeq method is not a token");
  return CSeq{static_cast<std::uint32_t>(n), std::string(method)};
}

Result<int> parse_max_forwards(std::string_view value) {
  std::uint64_t n = 0;
  if (!parse_decimal(value, 255, n)) return bad("Max-Forwards is not a decimal in 0-255");
  return static_cast<int>(n);
}

Result<std::uint32_t> parse_delta_seconds(std::string_view value) {
  std::uint64_t n = 0;
  if (!parse_decimal(value, 0xFFFFFFFFu, n)) return bad("not delta-seconds");
  return static_cast<std::uint32_t>(n);
}

Result<SessionExpires> parse_session_expires(std::string_view value) {
  Scanner sc(value);
  const std::size_t start = sc.pos();
  while (is_digit(sc.peek()))
    sc.eat(sc.peek());
  auto seconds = parse_delta_seconds(value.substr(start, sc.pos() - start));
  if (!seconds) return bad("Session-Expires is not delta-seconds");
  SessionExpires out;
  out.seconds = *seconds;
  if (!parse_params<true>(sc, out.params)) return bad("Session-Expires: malformed parameter");
  sc.skip_ws();
  if (!sc.done()) return bad("Session-Expires: unexpected text");
  if (const Param* r = find_param(out.params, "refresher")) {
    out.refresher = lowered(r->value);
    if (out.refresher != "uac" && out.refresher != "uas")
      return bad("Session-Expires: refresher is neither uac nor uas");
  }
  return out;
}

Result<MediaType> parse_media_type(std::string_view value) {
  Scanner sc(value);
  sc.skip_ws();
  MediaType out;
  const auto type = sc.token();
  if (type.empty() || !sc.eat_sep('/')) return bad("Content-Type is not type/subtype");
  const auto subtype = sc.token();
  if (subtype.empty()) return bad("Content-Type has no subtype");
  out.type = lowered(type);
  out.subtype = lowered(subtype);
  if (!parse_params<true>(sc, out.params)) return bad("Content-Type: malformed parameter");
  sc.skip_ws();
  if (!sc.done()) return bad("Content-Type: unexpected text");
  return out;
}

Result<Disposition> parse_disposition(std::string_view value) {
  Scanner sc(value);
  sc.skip_ws();
  Disposition out;
  const auto type = sc.token();
  if (type.empty()) return bad("Content-Disposition has no type");
  out.type = lowered(type);
  if (!parse_params<true>(sc, out.params)) return bad("Content-Disposition: malformed parameter");
  sc.skip_ws();
  if (!sc.done()) return bad("Content-Disposition: unexpected text");
  return out;
}

Result<std::size_t> parse_content_length(std::string_view value) {
  std::uint64_t n = 0;
  if (!parse_decimal(value, std::numeric_limits<std::size_t>::max(), n))
    return Error(Errc::bad_content_length, "Content-Length is not a decimal number");
  return static_cast<std::size_t>(n);
}

}  // namespace rcc::sip

namespace rcc::sip {

bool valid_media_type(std::string_view value) {
  Scanner sc(value);
  sc.skip_ws();
  if (sc.token().empty() || !sc.eat_sep('/') || sc.token().empty()) return false;
  Params none;
  if (!parse_params<false>(sc, none)) return false;
  sc.skip_ws();
  return sc.done();
}

bool valid_disposition(std::string_view value) {
  Scanner sc(value);
  sc.skip_ws();
  if (sc.token().empty()) return false;
  Params none;
  if (!parse_params<false>(sc, none)) return false;
  sc.skip_ws();
  return sc.done();
}

}  // namespace rcc::sip
