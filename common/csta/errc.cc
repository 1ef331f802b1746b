#include "csta/errc.h"

#include <string>

namespace rcc::csta {
namespace {

class CstaCategory : public std::error_category {
 public:
  const char* name() const noexcept override { return "csta"; }
  std::string message(int ev) const override {
    switch (static_cast<Errc>(ev)) {
      case Errc::too_large:
        return "XML document too large";
      case Errc::too_deep:
        return "XML elements nested too deep";
      case Errc::doctype_refused:
        return "DOCTYPE refused (no DTDs or entity declarations)";
      case Errc::malformed_xml:
        return "malformed XML";
      case Errc::unknown_namespace:
        return "unknown namespace";
      case Errc::unknown_message:
        return "unknown CSTA message";
      case Errc::missing_field:
        return "missing required element";
      case Errc::invalid_value:
        return "invalid value";
      case Errc::bad_scheme:
        return "not a tel:, sip: or sips: URI";
      case Errc::bad_number:
        return "invalid telephone number";
      case Errc::bad_parameter:
        return "invalid URI parameter";
      case Errc::bad_percent_encoding:
        return "invalid percent-encoding";
      case Errc::duplicate_parameter:
        return "duplicate URI parameter";
      case Errc::missing_phone_context:
        return "local number without phone-context";
      case Errc::phone_context_on_global:
        return "phone-context on a global number";
    }
    return "unknown error";
  }
};

}  // namespace

const std::error_category& csta_category() {
  static const CstaCategory category;
  return category;
}

std::error_code make_error_code(Errc e) {
  return {static_cast<int>(e), csta_category()};
}

}  // namespace rcc::csta
