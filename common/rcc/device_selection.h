#pragma once
// Which device a session controls, and why: the reference deployment's rules (docs/protocol.md,
// "Device selection"), as one pure function that the gateway and the troubleshooter both call.
//
//   device=NAME in the line URI: that device, which must carry the DN (and be in partition= when
//     that is given);
//   one device on the DN: that one;
//   two (a shared line): the registered Cisco IP Communicator, else the other device when the
//     Communicator is not registered, else (neither is a Communicator) both ring and the session
//     controls the one that answers;
//   three or more: the line URI must name the device (refused as ambiguous).
// In LCS mode a user has at most two devices, an Extension Mobility login included; more is
// refused even with device=. OCS mode applies the same rules without that limit.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "csta/line_uri.h"
#include "diag/error.h"
#include "directory/directory.h"

namespace rcc::gateway {

enum class ServerMode { ocs, lcs };

enum class Refusal {
  none,
  unknown_user,           ///< no user for the From URI (403)
  rcc_disabled,           ///< the user exists, RCC is not enabled (403)
  bad_line_uri,           ///< no line URI, or it does not parse (400)
  unknown_dn,             ///< no device carries the DN (404)
  device_not_on_line,     ///< device= names a device without the DN, or in another partition (404)
  ambiguous_device,       ///< three or more devices and no device= (403)
  too_many_devices,       ///< LCS mode and more than two devices (403)
  no_node_up,             ///< no CTI node up (503 + Retry-After)
  line_mismatch,          ///< the body's line is not the user's line URI (403)
  directory_unavailable,  ///< the user source could not answer (503 + Retry-After)
  overloaded,             ///< too many requests wait on the CTI node (503 + Retry-After)
  bad_directory_entry,    ///< the user's directory entry is unusable (two for one key, ...) (403)
};
std::string_view to_string(Refusal r);
/// The SIP status of a refused INVITE.
int sip_status(Refusal r);

struct DeviceChoice {
  Refusal refusal = Refusal::none;
  /// The chosen device; two names when both ring and the one answered is controlled.
  std::vector<std::string> devices;
  std::string reason;  ///< why, in words for a log line or the troubleshooter
};

/// Whether a device is registered now (the CTI side knows; the directory's flag is a default).
using Registered = std::function<bool(const directory::Device&)>;

DeviceChoice select_device(const directory::Directory& dir, const directory::User& user,
                           const csta::LineUri& line, ServerMode mode,
                           const Registered& registered);

}  // namespace rcc::gateway
