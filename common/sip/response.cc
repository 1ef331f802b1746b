#include "sip/response.h"

#include <random>

#include "sip/error.h"
#include "sip/headers.h"
#include "util/text.h"

namespace rcc::sip {
namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t';
}

using util::trim;

void add_to(Message& response, std::string to, std::string_view to_tag) {
  if (!to_tag.empty()) {
    auto parsed = parse_name_addr(to);
    if (parsed && parsed->tag().empty()) to += ";tag=" + std::string(to_tag);
  }
  response.add("To", std::move(to));
}

}  // namespace

Message make_response(const Message& request, int status, std::string_view to_tag,
                      std::string_view reason) {
  Message r;
  r.status = status;
  r.reason = std::string(reason.empty() ? reason_phrase(status) : reason);
  for (const auto& h : request.headers) {
    if (h.name == "Via" || h.name == "From" || h.name == "Call-ID" || h.name == "CSeq") {
      r.headers.push_back(h);
    } else if (h.name == "To") {
      add_to(r, h.value, to_tag);
    }
  }
  r.add("Content-Length", "0");
  return r;
}

std::optional<Message> error_response(std::string_view bytes, std::error_code error,
                                      std::string_view to_tag) {
  const int status = response_status(error);
  if (status == 0) return std::nullopt;
  const auto first = bytes.find("\r\n");
  if (first == std::string_view::npos) return std::nullopt;
  const auto start = bytes.substr(0, first);
  if (start.size() >= 4 && iequals(start.substr(0, 4), "SIP/")) return std::nullopt;
  // Header lines as written, folds joined; stop at the empty line or the first broken line.
  // They are copied verbatim even when their values are what was wrong: over a stream the
  // answer goes back on the connection the request came in on (RFC 3261 §18.2.2).
  Message request;
  std::size_t pos = first + 2;
  while (pos < bytes.size()) {
    const auto eol = bytes.find("\r\n", pos);
    if (eol == std::string_view::npos || eol == pos) break;
    const auto line = bytes.substr(pos, eol - pos);
    pos = eol + 2;
    if (is_ws(line.front())) {
      if (!request.headers.empty()) request.headers.back().value += " " + std::string(trim(line));
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) break;
    const auto name = trim(line.substr(0, colon));
    if (!is_token(name)) break;
    request.add(name, std::string(trim(line.substr(colon + 1))));
  }
  for (const char* need : {"Via", "From", "To", "Call-ID", "CSeq"})
    if (!request.header(need)) return std::nullopt;
  Message r = make_response(request, status, to_tag);
  if (status == 505) {
    // RFC 3261 §21.5.6 suggests saying which versions are supported.
    r.add("Warning", "399 rcc \"only SIP/2.0 is supported\"");
  }
  return r;
}

std::string random_token(std::size_t n) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(n, '0');
  for (auto& c : out)
    c = kHex[rng() & 15];
  return out;
}

}  // namespace rcc::sip
