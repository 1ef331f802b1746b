#include "sip/parser.h"

#include <cstring>
#include <optional>

#include "sip/error.h"
#include "util/text.h"

namespace rcc::sip {
namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t';
}

using util::trim;

// "SIP/<digits>.<digits>": a version we can name in a 505, as opposed to garbage.
bool looks_like_version(std::string_view v) {
  if (v.size() < 7 || !iequals(v.substr(0, 4), "SIP/")) return false;
  v.remove_prefix(4);
  const auto dot = v.find('.');
  if (dot == 0 || dot == std::string_view::npos || dot + 1 == v.size()) return false;
  for (std::size_t i = 0; i < v.size(); ++i)
    if (i != dot && !(v[i] >= '0' && v[i] <= '9')) return false;
  return true;
}

Result<void> parse_version(std::string_view v) {
  if (iequals(v, "SIP/2.0")) return {};
  if (looks_like_version(v)) return Error(Errc::bad_version, "version " + std::string(v));
  return Error(Errc::bad_start_line, "no SIP version at the end of the start line");
}

Result<void> parse_start_line(std::string_view line, Message& m) {
  if (line.size() >= 4 && iequals(line.substr(0, 4), "SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase
    const auto sp = line.find(' ');
    if (sp == std::string_view::npos) return Error(Errc::bad_start_line, "status line too short");
    if (auto v = parse_version(line.substr(0, sp)); !v) return v.error();
    const auto rest = line.substr(sp + 1);
    if (rest.size() < 3 || (rest.size() > 3 && rest[3] != ' '))
      return Error(Errc::bad_status_code, "status code is not three digits");
    int code = 0;
    for (std::size_t i = 0; i < 3; ++i) {
      if (rest[i] < '0' || rest[i] > '9')
        return Error(Errc::bad_status_code, "status code is not three digits");
      code = code * 10 + (rest[i] - '0');
    }
    if (code < 100 || code > 699) return Error(Errc::bad_status_code, "status code not in 100-699");
    m.status = code;
    m.reason = rest.size() > 4 ? std::string(rest.substr(4)) : std::string();
    return {};
  }
  // Request-Line = Method SP Request-URI SP SIP-Version: exactly two single spaces.
  const auto sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Error(Errc::bad_start_line, "no space in start line");
  const auto method = line.substr(0, sp1);
  if (!is_token(method)) return Error(Errc::bad_start_line, "method is not a token");
  const auto sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos)
    return Error(Errc::bad_start_line, "request line has no SIP version");
  const auto uri = line.substr(sp1 + 1, sp2 - sp1 - 1);
  const auto version = line.substr(sp2 + 1);
  if (uri.empty() || version.find(' ') != std::string_view::npos)
    return Error(Errc::bad_start_line, "request line elements not separated by single spaces");
  if (auto v = parse_version(version); !v) return v.error();
  if (!is_absolute_uri(uri))
    return Error(Errc::bad_request_uri, "Request-URI is not an absolute URI");
  for (const char c : uri) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u == 0x7F || c == '<' || c == '>' || c == '"')
      return Error(Errc::bad_request_uri, "Request-URI contains a character URIs cannot hold");
  }
  // RFC 3261 §19.1.1: headers are not allowed in a Request-URI. A '?' may appear in the user
  // part (user-unreserved), so only one after the host part counts.
  const auto scheme = uri_scheme(uri);
  if (scheme == "sip" || scheme == "sips") {
    const auto at = uri.find('@');
    const auto q = uri.find('?', at == std::string_view::npos ? 0 : at);
    if (q != std::string_view::npos)
      return Error(Errc::bad_request_uri, "SIP Request-URI carries headers");
  }
  m.method = std::string(method);
  m.request_uri = std::string(uri);
  return {};
}

// Checks the headers the stack reads, so that a Message that exists is well formed. Returns the
// Content-Length when there is one. The checks build nothing (valid_* in headers.h).
Result<std::optional<std::size_t>> validate(const Message& m) {
  const std::string* call_id = nullptr;
  const std::string* cseq = nullptr;
  const std::string* from = nullptr;
  const std::string* to = nullptr;
  const std::string* max_fwd = nullptr;
  const std::string* ctype = nullptr;
  const std::string* clen = nullptr;
  const std::string* sexp = nullptr;
  const std::string* minse = nullptr;
  const std::string* cdisp = nullptr;
  bool via = false;
  const Header* repeated = nullptr;
  auto once = [&repeated](const std::string*& slot, const Header& h) {
    if (slot) repeated = &h;
    slot = &h.value;
  };
  for (const auto& h : m.headers) {
    switch (h.id) {
      case HeaderId::call_id:
        once(call_id, h);
        break;
      case HeaderId::cseq:
        once(cseq, h);
        break;
      case HeaderId::from:
        once(from, h);
        break;
      case HeaderId::to:
        once(to, h);
        break;
      case HeaderId::max_forwards:
        once(max_fwd, h);
        break;
      case HeaderId::content_type:
        once(ctype, h);
        break;
      case HeaderId::session_expires:
        once(sexp, h);
        break;
      case HeaderId::min_se:
        once(minse, h);
        break;
      case HeaderId::content_disposition:
        once(cdisp, h);
        break;
      case HeaderId::content_length:
        if (clen) return Error(Errc::multiple_content_length, "Content-Length repeated");
        clen = &h.value;
        break;
      case HeaderId::via:
        via = true;
        break;
      default:
        break;
    }
    if (repeated) return Error(Errc::duplicate_header, repeated->name + " repeated");
  }
  std::optional<std::size_t> length;
  if (clen) {
    auto n = parse_content_length(*clen);
    if (!n) return n.error();
    length = *n;
  }
  if (!via) return Error(Errc::missing_header, "no Via");
  if (!from || from->empty()) return Error(Errc::missing_header, "no From");
  if (!to || to->empty()) return Error(Errc::missing_header, "no To");
  if (!call_id || call_id->empty()) return Error(Errc::missing_header, "no Call-ID");
  if (!cseq || cseq->empty()) return Error(Errc::missing_header, "no CSeq");
  for (const auto& h : m.headers) {
    bool good = true;
    switch (h.id) {
      case HeaderId::via:
        good = valid_via_list(h.value);
        break;
      case HeaderId::contact:
        good = valid_name_addr_list(h.value, true);
        break;
      case HeaderId::route:
      case HeaderId::record_route:
        good = valid_name_addr_list(h.value, false);
        break;
      case HeaderId::date:
        // RFC 3261 §20.17: rfc1123-date in GMT only (RFC 4475 §3.1.2.12).
        good = h.value.size() >= 4 && h.value.compare(h.value.size() - 4, 4, " GMT") == 0;
        break;
      default:
        break;
    }
    if (!good) return Error(Errc::bad_header_value, "malformed " + h.name);
  }
  if (!valid_name_addr(*from)) return Error(Errc::bad_header_value, "malformed From");
  if (!valid_name_addr(*to)) return Error(Errc::bad_header_value, "malformed To");
  auto cs = parse_cseq(*cseq);
  if (!cs) return cs.error();
  if (max_fwd) {
    if (auto v = parse_max_forwards(*max_fwd); !v) return v.error();
  }
  if (sexp) {
    if (auto v = parse_session_expires(*sexp); !v) return v.error();
  }
  if (minse) {
    std::string_view s(*minse);
    if (auto v = parse_delta_seconds(trim(s.substr(0, s.find(';')))); !v)
      return Error(Errc::bad_header_value, "Min-SE is not delta-seconds");
  }
  if (ctype && !valid_media_type(*ctype))
    return Error(Errc::bad_header_value, "malformed Content-Type");
  if (cdisp && !valid_disposition(*cdisp))
    return Error(Errc::bad_header_value, "malformed Content-Disposition");
  if (m.is_request() && cs->method != m.method)
    return Error(Errc::cseq_mismatch, "CSeq method " + cs->method + " on a " + m.method);
  return length;
}

}  // namespace

Parser::Parser(Framing framing, Limits limits) : framing_(framing), limits_(limits) {}

void Parser::reset() {
  state_ = State::start;
  head_.clear();
  scanned_ = 0;
  line_start_ = 0;
  msg_ = Message();
  content_length_ = 0;
  has_length_ = false;
}

Message Parser::take() {
  Message out = std::move(msg_);
  reset();
  return out;
}

Result<std::size_t> Parser::feed(std::string_view data) {
  std::size_t used = 0;
  if (state_ == State::start || state_ == State::head) {
    auto n = feed_head(data);
    if (!n) return n.error();
    used = *n;
    data.remove_prefix(used);
  }
  if (state_ == State::body) {
    auto n = feed_body(data);
    if (!n) return n.error();
    used += *n;
  }
  return used;
}

// Looks for the empty line that ends the header section in buf[scanned_...], checking line
// ends and the start-line limit on the way. Returns the offset just past the empty line, or 0.
Result<std::size_t> Parser::scan(std::string_view buf) {
  const char* base = buf.data();
  while (scanned_ < buf.size()) {
    const void* nl = std::memchr(base + scanned_, '\n', buf.size() - scanned_);
    if (!nl) {
      scanned_ = buf.size();
      break;
    }
    const std::size_t i = std::size_t(static_cast<const char*>(nl) - base);
    if (i == 0 || base[i - 1] != '\r') return Error(Errc::bad_line_end, "LF without CR");
    const std::size_t len = i - 1 - line_start_;
    if (line_start_ == 0 && len > limits_.max_start_line)
      return Error(Errc::start_line_too_long, "start line longer than the limit");
    if (len == 0) {
      if (line_start_ == 0) return Error(Errc::bad_start_line, "empty start line");
      return i + 1;
    }
    line_start_ = i + 1;
    scanned_ = i + 1;
  }
  if (line_start_ == 0 && buf.size() > limits_.max_start_line + 1)
    return Error(Errc::start_line_too_long, "start line longer than the limit");
  if (buf.size() > limits_.max_header_bytes)
    return Error(Errc::header_too_large, "header section larger than the limit");
  return std::size_t(0);
}

Result<std::size_t> Parser::feed_head(std::string_view data) {
  state_ = State::head;
  if (head_.empty()) {
    // Fast path: the whole header section is in this buffer; parse it in place.
    const auto window = data.substr(0, limits_.max_header_bytes + 1);
    auto end = scan(window);
    if (!end) return end.error();
    if (*end) {
      if (*end > limits_.max_header_bytes)
        return Error(Errc::header_too_large, "header section larger than the limit");
      if (auto ok = parse_head(data.substr(0, *end - 2)); !ok) return ok.error();
      return *end;
    }
    head_.assign(window.data(), window.size());
    return window.size();
  }
  const std::size_t old = head_.size();
  const std::size_t room = limits_.max_header_bytes + 1 - std::min(old, limits_.max_header_bytes);
  const auto take = data.substr(0, room);
  head_.append(take.data(), take.size());
  auto end = scan(head_);
  if (!end) return end.error();
  if (!*end) return take.size();
  if (*end > limits_.max_header_bytes)
    return Error(Errc::header_too_large, "header section larger than the limit");
  const std::size_t used = *end - old;
  head_.resize(*end - 2);
  if (auto ok = parse_head(head_); !ok) return ok.error();
  head_.clear();
  return used;
}

// `head` is the start line and every header line, each with its CRLF, without the empty line.
Result<void> Parser::parse_head(std::string_view head) {
  std::size_t pos = head.find("\r\n");
  const auto start = head.substr(0, pos);
  if (start.find('\r') != std::string_view::npos) return Error(Errc::bad_line_end, "CR in line");
  if (auto ok = parse_start_line(start, msg_); !ok) return ok.error();
  pos += 2;
  msg_.headers.reserve(16);
  while (pos < head.size()) {
    // scan() saw every LF preceded by CR, so the first CR of the line must be its end: one
    // memchr finds the line and proves it holds no bare CR.
    const void* cr = std::memchr(head.data() + pos, '\r', head.size() - pos);
    if (!cr) return Error(Errc::bad_line_end, "line without CRLF");
    const std::size_t eol = std::size_t(static_cast<const char*>(cr) - head.data());
    if (eol + 1 >= head.size() || head[eol + 1] != '\n')
      return Error(Errc::bad_line_end, "CR without LF");
    const auto line = head.substr(pos, eol - pos);
    pos = eol + 2;
    if (is_ws(line.front())) {
      // RFC 3261 §7.3.1: a folded line continues the previous header; the fold is one SP.
      if (msg_.headers.empty())
        return Error(Errc::bad_header_line, "folded line before any header");
      const auto more = trim(line);
      auto& value = msg_.headers.back().value;
      while (!value.empty() && is_ws(value.back()))
        value.pop_back();
      if (!more.empty()) {
        if (!value.empty()) value += ' ';
        value.append(more.data(), more.size());
      }
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) return Error(Errc::bad_header_line, "no colon");
    const auto name = trim(line.substr(0, colon));
    if (!is_token(name) || is_ws(line.front()))
      return Error(Errc::bad_header_line, "header name is not a token");
    if (msg_.headers.size() >= limits_.max_header_count)
      return Error(Errc::too_many_headers, "more header fields than the limit");
    const auto id = canonical_header_id(name);
    const auto canonical = id == HeaderId::other ? name : header_name(id);
    const auto value = trim(line.substr(colon + 1));
    msg_.headers.push_back({std::string(canonical), std::string(value), id});
  }
  auto length = validate(msg_);
  if (!length) return length.error();
  if (*length) {
    content_length_ = **length;
    has_length_ = true;
    if (content_length_ > limits_.max_body_bytes)
      return Error(Errc::body_too_large, "Content-Length larger than the limit");
  } else if (framing_ == Framing::stream) {
    return Error(Errc::missing_content_length, "no Content-Length on a stream");
  }
  if (has_length_) msg_.body.reserve(content_length_);
  state_ = State::body;
  if (framing_ == Framing::stream && content_length_ == 0) state_ = State::done;
  return {};
}

Result<std::size_t> Parser::feed_body(std::string_view data) {
  if (framing_ == Framing::stream) {
    const std::size_t take = std::min(data.size(), content_length_ - msg_.body.size());
    msg_.body.append(data.data(), take);
    if (msg_.body.size() == content_length_) state_ = State::done;
    return take;
  }
  // Datagram: everything fed belongs to this message. Bytes past Content-Length are dropped
  // (RFC 3261 §18.3); without Content-Length the body is bounded by the body limit.
  const std::size_t cap = has_length_ ? content_length_ : limits_.max_body_bytes;
  const std::size_t room = cap - msg_.body.size();
  if (!has_length_ && data.size() > room)
    return Error(Errc::body_too_large, "datagram body larger than the limit");
  msg_.body.append(data.data(), std::min(room, data.size()));
  return data.size();
}

Result<void> Parser::finish() {
  if (state_ == State::done) return {};
  if (state_ != State::body || framing_ == Framing::stream)
    return Error(Errc::need_more, "input ends inside the message");
  if (has_length_ && msg_.body.size() < content_length_)
    return Error(Errc::truncated_body, "body shorter than Content-Length");
  state_ = State::done;
  return {};
}

Result<Message> parse(std::string_view bytes, Limits limits) {
  Parser p(Framing::datagram, limits);
  auto used = p.feed(bytes);
  if (!used) return used.error();
  if (auto ok = p.finish(); !ok) return ok.error();
  return p.take();
}

Result<void> check_request_uri(const Message& request) {
  const auto scheme = uri_scheme(request.request_uri);
  if (scheme == "sip" || scheme == "sips" || scheme == "tel") return {};
  return Error(Errc::unsupported_uri_scheme, "Request-URI scheme '" + scheme + "'");
}

std::vector<std::string> unsupported_requirements(const Message& request,
                                                  std::string_view supported) {
  std::vector<std::string> out;
  std::vector<std::string_view> ours;
  if (auto list = split_list(supported)) ours = *list;
  for (const auto& tag : request.values("Require")) {
    bool known = false;
    for (const auto o : ours)
      known = known || iequals(o, tag);
    if (!known) out.push_back(tag);
  }
  return out;
}

}  // namespace rcc::sip
