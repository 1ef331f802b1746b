#pragma once
// Identifiers shared by CSTA requests, responses and events (ECMA-323; docs/protocol.md,
// "Identifiers"), and the namespaces the codec speaks.

#include <optional>
#include <string>
#include <string_view>

namespace rcc::csta {

/// ECMA-323 editions the codec reads and writes. Microsoft's client speaks ed3; other peers use
/// ed4 and ed5 (docs/protocol.md). The request's edition is remembered in Message::ns so that the
/// answer goes out in the same one.
enum class Namespace { ed3, ed4, ed5 };

/// "http://www.ecma-international.org/standards/ecma-323/csta/edN".
std::string_view namespace_uri(Namespace ns);
/// The edition for a namespace URI; nullopt for anything else.
std::optional<Namespace> namespace_from_uri(std::string_view uri);

/// ECMA-354 application sessions (docs/protocol.md): one fixed namespace.
inline constexpr std::string_view kApplicationSessionNamespace =
    "http://www.ecma-international.org/standards/ecma-354/appl_session";
/// Microsoft's private RCC extension holding the line URI (docs/protocol.md).
inline constexpr std::string_view kRccExtensionNamespace =
    "http://schemas.microsoft.com/Lcs/2005/04/RCCExtension";

/// ConnectionID: one party's leg of a call, <callID/> and <deviceID/>. Either may be absent in
/// ECMA-323 (an empty string here means absent, and an empty element is read as absent), but
/// not both: the decoder refuses that with Errc::missing_field. The deviceID is echoed exactly as
/// received: switches may hand out dynamic identifiers (docs/protocol.md).
struct ConnectionId {
  std::string call_id;
  std::string device_id;
  bool operator==(const ConnectionId& o) const {
    return call_id == o.call_id && device_id == o.device_id;
  }
  bool operator!=(const ConnectionId& o) const { return !(*this == o); }
};

/// A device as events name it (ECMA-323 ExtendedDeviceID): <deviceIdentifier>X</deviceIdentifier>
/// or one of the empty markers <notKnown/>, <restricted/>, <notRequired/>.
struct DeviceRef {
  enum class Kind { identifier, not_known, restricted, not_required };
  Kind kind = Kind::identifier;
  std::string id;  ///< only for Kind::identifier

  static DeviceRef of(std::string id) { return {Kind::identifier, std::move(id)}; }
  static DeviceRef unknown() { return {Kind::not_known, {}}; }
  bool operator==(const DeviceRef& o) const { return kind == o.kind && id == o.id; }
  bool operator!=(const DeviceRef& o) const { return !(*this == o); }
};

/// A member of a connection list (conference and transfer results). ECMA-323 makes each part
/// optional; `endpoint` is a plain device identifier.
struct ConnectionListItem {
  std::optional<ConnectionId> new_connection;
  std::optional<ConnectionId> old_connection;
  std::optional<std::string> endpoint;

  template <class S, class V>
  static void fields(S& s, V& v) {
    v("newConnection", s.new_connection);
    v("oldConnection", s.old_connection);
    v("endpoint", s.endpoint);
  }
};

/// Whether a decoder insists on an element (encoders always write what the value holds).
enum class Req { required, optional };

}  // namespace rcc::csta
