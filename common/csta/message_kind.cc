#include "csta/message_kind.h"

namespace rcc::csta {
namespace {

bool ends_with(std::string_view s, std::string_view tail) {
  return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
}

}  // namespace

MessageKind message_kind(std::string_view element) {
  if (ends_with(element, "Event") || element == "ApplicationSessionTerminated")
    return MessageKind::event;
  if (ends_with(element, "Response") || element == "CSTAErrorCode") return MessageKind::response;
  return MessageKind::request;
}

bool can_answer(std::string_view request, std::string_view response) {
  if (response == "CSTAErrorCode") return true;
  if (response.size() <= request.size() || response.substr(0, request.size()) != request)
    return false;
  const std::string_view rest = response.substr(request.size());
  return rest == "Response" || rest == "PosResponse" || rest == "NegResponse";
}

Result<std::string> root_element_name(std::string_view xml, const Limits& limits) {
  auto doc = parse_xml(xml, limits);
  if (!doc) return doc.error();
  return std::string(local_name(xmlDocGetRootElement(doc->get())));
}

}  // namespace rcc::csta
