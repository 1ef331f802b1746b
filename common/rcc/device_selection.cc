#include "rcc/device_selection.h"

#include <algorithm>

#include "util/text.h"

namespace rcc::gateway {

std::string_view to_string(Refusal r) {
  switch (r) {
    case Refusal::none:
      return "none";
    case Refusal::unknown_user:
      return "unknown-user";
    case Refusal::rcc_disabled:
      return "rcc-disabled";
    case Refusal::bad_line_uri:
      return "bad-line-uri";
    case Refusal::unknown_dn:
      return "unknown-dn";
    case Refusal::device_not_on_line:
      return "device-not-on-line";
    case Refusal::ambiguous_device:
      return "ambiguous-device";
    case Refusal::too_many_devices:
      return "too-many-devices";
    case Refusal::no_node_up:
      return "no-cti-node";
    case Refusal::line_mismatch:
      return "line-mismatch";
    case Refusal::directory_unavailable:
      return "directory-unavailable";
    case Refusal::overloaded:
      return "overloaded";
    case Refusal::bad_directory_entry:
      return "bad-directory-entry";
  }
  return "?";
}

int sip_status(Refusal r) {
  switch (r) {
    case Refusal::none:
      return 200;
    case Refusal::unknown_dn:
    case Refusal::device_not_on_line:
      return 404;
    case Refusal::no_node_up:
    case Refusal::directory_unavailable:
    case Refusal::overloaded:
      return 503;
    case Refusal::bad_line_uri:
      return 400;
    default:
      return 403;
  }
}

namespace {

DeviceChoice refuse(Refusal r, std::string reason) {
  DeviceChoice c;
  c.refusal = r;
  c.reason = std::move(reason);
  return c;
}

DeviceChoice choose(std::string device, std::string reason) {
  DeviceChoice c;
  c.devices.push_back(std::move(device));
  c.reason = std::move(reason);
  return c;
}

bool carries(const directory::Device& d, std::string_view dn, std::string_view partition) {
  return std::any_of(d.lines.begin(), d.lines.end(), [&](const directory::Line& l) {
    return l.dn == dn && (partition.empty() || util::iequals(l.partition, partition));
  });
}

}  // namespace

DeviceChoice select_device(const directory::Directory& dir, const directory::User& user,
                           const csta::LineUri& line, ServerMode mode,
                           const Registered& registered) {
  const std::string dn = line.digits();
  const std::string partition(line.partition().value_or(""));
  // The user's devices (an Extension Mobility login is one of them) that carry the DN.
  std::vector<std::string> names = user.devices;
  if (!user.extension_mobility.empty() &&
      std::find(names.begin(), names.end(), user.extension_mobility) == names.end())
    names.push_back(user.extension_mobility);
  std::vector<const directory::Device*> on_line;
  for (const auto& name : names)
    if (const auto* d = dir.device(name); d && carries(*d, dn, partition)) on_line.push_back(d);
  if (mode == ServerMode::lcs && names.size() > 2)
    return refuse(Refusal::too_many_devices,
                  "LCS mode allows two devices per user, " + user.id + " has " +
                      std::to_string(names.size()) +
                      (user.extension_mobility.empty() ? "" : " (Extension Mobility included)"));
  if (const auto wanted = line.device()) {
    for (const auto* d : on_line)
      if (util::iequals(d->name, *wanted)) return choose(d->name, "device= in the line URI");
    return refuse(Refusal::device_not_on_line,
                  "device=" + std::string(*wanted) + " does not carry DN " + dn +
                      (partition.empty() ? "" : " in partition " + partition));
  }
  if (on_line.empty())
    return refuse(Refusal::unknown_dn, "no device of " + user.id + " carries DN " + dn +
                                           (partition.empty() ? "" : " in partition " + partition));
  if (on_line.size() == 1) return choose(on_line.front()->name, "the only device on the line");
  if (on_line.size() == 2) {
    const auto* a = on_line[0];
    const auto* b = on_line[1];
    if (b->is_ip_communicator() && !a->is_ip_communicator()) std::swap(a, b);
    if (a->is_ip_communicator()) {
      if (registered(*a)) return choose(a->name, "shared line: the registered IP Communicator");
      return choose(b->name, "shared line: the IP Communicator is not registered");
    }
    DeviceChoice both;
    both.devices = {on_line[0]->name, on_line[1]->name};
    both.reason =
        "shared line of two without an IP Communicator: both ring, the one answered is "
        "controlled";
    return both;
  }
  return refuse(Refusal::ambiguous_device, std::to_string(on_line.size()) + " devices carry DN " +
                                               dn + "; the line URI must name one with device=");
}

}  // namespace rcc::gateway
