#include "sip/message.h"

#include <array>
#include <cstdint>

#include "sip/error.h"

namespace rcc::sip {
namespace {

struct Known {
  std::string_view name;
  char compact;  // '\0' when the header has no compact form
  bool list;     // "#" list-valued: values() splits it at commas
  HeaderId id;
};

// RFC 3261 §7.3.3 and §20, RFC 4028 (x = Session-Expires), RFC 3265 (o, u), RFC 3515 (r),
// RFC 3892 (b), RFC 3841 (a, j, d), RFC 4474 (y, n).
constexpr std::array<Known, 44> kKnown{{
    {"Accept", '\0', true, HeaderId::accept},
    {"Accept-Contact", 'a', true, HeaderId::accept_contact},
    {"Accept-Encoding", '\0', true, HeaderId::accept_encoding},
    {"Accept-Language", '\0', true, HeaderId::accept_language},
    {"Alert-Info", '\0', true, HeaderId::alert_info},
    {"Allow", '\0', true, HeaderId::allow},
    {"Allow-Events", 'u', true, HeaderId::allow_events},
    {"Authorization", '\0', false, HeaderId::authorization},
    {"Call-ID", 'i', false, HeaderId::call_id},
    {"Call-Info", '\0', true, HeaderId::call_info},
    {"Contact", 'm', true, HeaderId::contact},
    {"Content-Disposition", '\0', false, HeaderId::content_disposition},
    {"Content-Encoding", 'e', true, HeaderId::content_encoding},
    {"Content-Language", '\0', true, HeaderId::content_language},
    {"Content-Length", 'l', false, HeaderId::content_length},
    {"Content-Type", 'c', false, HeaderId::content_type},
    {"CSeq", '\0', false, HeaderId::cseq},
    {"Date", '\0', false, HeaderId::date},
    {"Event", 'o', false, HeaderId::event},
    {"Expires", '\0', false, HeaderId::expires},
    {"From", 'f', false, HeaderId::from},
    {"Identity", 'y', false, HeaderId::identity},
    {"Identity-Info", 'n', false, HeaderId::identity_info},
    {"Max-Forwards", '\0', false, HeaderId::max_forwards},
    {"Min-Expires", '\0', false, HeaderId::min_expires},
    {"Min-SE", '\0', false, HeaderId::min_se},
    {"Proxy-Require", '\0', true, HeaderId::proxy_require},
    {"Record-Route", '\0', true, HeaderId::record_route},
    {"Refer-To", 'r', false, HeaderId::refer_to},
    {"Referred-By", 'b', false, HeaderId::referred_by},
    {"Reject-Contact", 'j', true, HeaderId::reject_contact},
    {"Request-Disposition", 'd', true, HeaderId::request_disposition},
    {"Require", '\0', true, HeaderId::require},
    {"Retry-After", '\0', false, HeaderId::retry_after},
    {"Route", '\0', true, HeaderId::route},
    {"Server", '\0', false, HeaderId::server},
    {"Session-Expires", 'x', false, HeaderId::session_expires},
    {"Subject", 's', false, HeaderId::subject},
    {"Supported", 'k', true, HeaderId::supported},
    {"To", 't', false, HeaderId::to},
    {"Unsupported", '\0', true, HeaderId::unsupported},
    {"User-Agent", '\0', false, HeaderId::user_agent},
    {"Via", 'v', true, HeaderId::via},
    {"Warning", '\0', true, HeaderId::warning},
}};

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

// A small hash index over kKnown, built once: (length, first and last letter) pick a bucket of at
// most a few names, so a lookup costs one short comparison instead of a scan of the table.
constexpr std::size_t kBuckets = 128;
std::size_t bucket_of(std::string_view name) {
  return (name.size() + 31 * std::size_t(lower(name.front())) +
          7 * std::size_t(lower(name.back()))) %
         kBuckets;
}
struct Index {
  std::array<std::array<std::int8_t, 4>, kBuckets> names{};
  std::array<std::int8_t, 128> compact{};
  Index() {
    for (auto& b : names)
      b.fill(-1);
    compact.fill(-1);
    for (std::size_t i = 0; i < kKnown.size(); ++i) {
      for (auto& slot : names[bucket_of(kKnown[i].name)])
        if (slot < 0) {
          slot = std::int8_t(i);
          break;
        }
      if (kKnown[i].compact) compact[std::size_t(kKnown[i].compact)] = std::int8_t(i);
    }
  }
};

const Known* find_known(std::string_view name) {
  static const Index index;
  if (name.empty()) return nullptr;
  if (name.size() == 1) {
    const auto c = static_cast<unsigned char>(lower(name[0]));
    const int i = c < 128 ? index.compact[c] : -1;
    return i < 0 ? nullptr : &kKnown[std::size_t(i)];
  }
  for (const auto i : index.names[bucket_of(name)]) {
    if (i < 0) break;
    const Known& k = kKnown[std::size_t(i)];
    if (k.name.size() == name.size() && iequals(k.name, name)) return &k;
  }
  return nullptr;
}

// Names in Message::headers are canonical for known headers, so a known name compares
// exactly; others compare case-insensitively.
bool same_name(const std::string& stored, std::string_view wanted_canonical,
               std::string_view wanted) {
  if (!wanted_canonical.empty()) return stored == wanted_canonical;
  return iequals(stored, wanted);
}

}  // namespace

std::string_view header_name(HeaderId id) {
  const auto i = static_cast<std::size_t>(id);
  return i == 0 || i > kKnown.size() ? std::string_view() : kKnown[i - 1].name;
}

HeaderId canonical_header_id(std::string_view name) {
  const Known* k = find_known(name);
  return k ? k->id : HeaderId::other;
}

std::string_view canonical_header_name(std::string_view name) {
  const Known* k = find_known(name);
  return k ? k->name : std::string_view();
}

const std::string* Message::header(std::string_view name) const {
  const auto canonical = canonical_header_name(name);
  for (const auto& h : headers)
    if (same_name(h.name, canonical, name)) return &h.value;
  return nullptr;
}

std::size_t Message::count(std::string_view name) const {
  const auto canonical = canonical_header_name(name);
  std::size_t n = 0;
  for (const auto& h : headers)
    if (same_name(h.name, canonical, name)) ++n;
  return n;
}

std::vector<std::string> Message::values(std::string_view name) const {
  const Known* k = find_known(name);
  const auto canonical = k ? k->name : std::string_view();
  std::vector<std::string> out;
  for (const auto& h : headers) {
    if (!same_name(h.name, canonical, name)) continue;
    if (k && k->list) {
      if (auto items = split_list(h.value)) {
        for (const auto item : *items)
          out.emplace_back(item);
        continue;
      }
    }
    out.push_back(h.value);
  }
  return out;
}

void Message::add(std::string_view name, std::string value) {
  const Known* k = find_known(name);
  headers.push_back(
      {std::string(k ? k->name : name), std::move(value), k ? k->id : HeaderId::other});
}

void Message::remove(std::string_view name) {
  const auto canonical = canonical_header_name(name);
  std::vector<Header> kept;
  kept.reserve(headers.size());
  for (auto& h : headers)
    if (!same_name(h.name, canonical, name)) kept.push_back(std::move(h));
  headers = std::move(kept);
}

void Message::set(std::string_view name, std::string value) {
  const auto canonical = canonical_header_name(name);
  bool done = false;
  std::vector<Header> kept;
  kept.reserve(headers.size() + 1);
  for (auto& h : headers) {
    if (!same_name(h.name, canonical, name)) {
      kept.push_back(std::move(h));
    } else if (!done) {
      h.value = std::move(value);
      kept.push_back(std::move(h));
      done = true;
    }
  }
  headers = std::move(kept);
  if (!done) add(name, std::move(value));
}

void Message::set_body(std::string new_body, std::string_view content_type) {
  body = std::move(new_body);
  if (!content_type.empty()) set("Content-Type", std::string(content_type));
  set("Content-Length", std::to_string(body.size()));
}

Result<std::vector<Via>> Message::vias() const {
  std::vector<Via> out;
  for (const auto& h : headers) {
    if (h.name != "Via") continue;
    auto list = parse_via_list(h.value);
    if (!list) return list.error();
    for (auto& v : *list)
      out.push_back(std::move(v));
  }
  if (out.empty()) return Error(Errc::missing_header, "no Via");
  return out;
}

namespace {
Result<NameAddr> single_name_addr(const Message& m, std::string_view name) {
  const std::string* v = m.header(name);
  if (!v) return Error(Errc::missing_header, "no " + std::string(name));
  return parse_name_addr(*v);
}
Result<std::vector<NameAddr>> name_addr_lines(const Message& m, std::string_view name,
                                              bool allow_star) {
  std::vector<NameAddr> out;
  for (const auto& h : m.headers) {
    if (h.name != name) continue;
    auto list = parse_name_addr_list(h.value, allow_star);
    if (!list) return list.error();
    for (auto& v : *list)
      out.push_back(std::move(v));
  }
  return out;
}
}  // namespace

Result<NameAddr> Message::from() const {
  return single_name_addr(*this, "From");
}
Result<NameAddr> Message::to() const {
  return single_name_addr(*this, "To");
}

std::string_view Message::call_id() const {
  const std::string* v = header("Call-ID");
  return v ? std::string_view(*v) : std::string_view();
}

Result<CSeq> Message::cseq() const {
  const std::string* v = header("CSeq");
  if (!v) return Error(Errc::missing_header, "no CSeq");
  return parse_cseq(*v);
}

Result<std::vector<NameAddr>> Message::contacts() const {
  return name_addr_lines(*this, "Contact", true);
}
Result<std::vector<NameAddr>> Message::record_routes() const {
  return name_addr_lines(*this, "Record-Route", false);
}
Result<std::vector<NameAddr>> Message::routes() const {
  return name_addr_lines(*this, "Route", false);
}

std::optional<int> Message::max_forwards() const {
  const std::string* v = header("Max-Forwards");
  if (!v) return std::nullopt;
  auto n = parse_max_forwards(*v);
  return n ? std::optional<int>(*n) : std::nullopt;
}

std::optional<SessionExpires> Message::session_expires() const {
  const std::string* v = header("Session-Expires");
  if (!v) return std::nullopt;
  auto se = parse_session_expires(*v);
  return se ? std::optional<SessionExpires>(std::move(*se)) : std::nullopt;
}

std::optional<std::uint32_t> Message::min_se() const {
  const std::string* v = header("Min-SE");
  if (!v) return std::nullopt;
  // Min-SE = delta-seconds *(SEMI generic-param): parameters are ignored.
  std::string_view s(*v);
  s = s.substr(0, s.find(';'));
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  auto n = parse_delta_seconds(s);
  return n ? std::optional<std::uint32_t>(*n) : std::nullopt;
}

std::optional<MediaType> Message::content_type() const {
  const std::string* v = header("Content-Type");
  if (!v) return std::nullopt;
  auto t = parse_media_type(*v);
  return t ? std::optional<MediaType>(std::move(*t)) : std::nullopt;
}

std::optional<Disposition> Message::content_disposition() const {
  const std::string* v = header("Content-Disposition");
  if (!v) return std::nullopt;
  auto d = parse_disposition(*v);
  return d ? std::optional<Disposition>(std::move(*d)) : std::nullopt;
}

std::optional<std::size_t> Message::content_length() const {
  const std::string* v = header("Content-Length");
  if (!v) return std::nullopt;
  auto n = parse_content_length(*v);
  return n ? std::optional<std::size_t>(*n) : std::nullopt;
}

void serialize_to(const Message& m, std::string& out) {
  std::size_t size = 64 + m.body.size() + m.request_uri.size() + m.reason.size();
  for (const auto& h : m.headers)
    size += h.name.size() + h.value.size() + 4;
  out.reserve(out.size() + size);
  if (m.is_request()) {
    out += m.method;
    out += ' ';
    out += m.request_uri;
    out += " SIP/2.0\r\n";
  } else {
    out += "SIP/2.0 ";
    out += std::to_string(m.status);
    out += ' ';
    out += m.reason;
    out += "\r\n";
  }
  for (const auto& h : m.headers) {
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  out += "\r\n";
  out += m.body;
}

std::string serialize(const Message& m) {
  std::string out;
  serialize_to(m, out);
  return out;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 100:
      return "Trying";
    case 180:
      return "Ringing";
    case 183:
      return "Session Progress";
    case 200:
      return "OK";
    case 202:
      return "Accepted";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request-URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Unsupported URI Scheme";
    case 420:
      return "Bad Extension";
    case 422:
      return "Session Interval Too Small";
    case 481:
      return "Call/Transaction Does Not Exist";
    case 483:
      return "Too Many Hops";
    case 486:
      return "Busy Here";
    case 487:
      return "Request Terminated";
    case 488:
      return "Not Acceptable Here";
    case 491:
      return "Request Pending";
    case 500:
      return "Server Internal Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "Version Not Supported";
    case 513:
      return "Message Too Large";
    default:
      break;
  }
  if (status >= 100 && status < 200) return "Trying";
  if (status >= 200 && status < 300) return "OK";
  return "Error";
}

}  // namespace rcc::sip
