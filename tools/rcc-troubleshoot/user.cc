#include "user.h"

#include <algorithm>

#include "csta/errc.h"
#include "csta/line_uri.h"
#include "rcc/device_selection.h"
#include "util/text.h"

namespace rcc::troubleshoot {
namespace {

using nlohmann::json;

std::string join(const std::vector<std::string>& v, const std::string& sep = ", ") {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : sep) + s;
  return out;
}

/// A .NET regular expression that matches exactly `text`.
std::string regex_escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

std::vector<std::string> user_devices(const directory::User& u) {
  std::vector<std::string> names = u.devices;
  if (!u.extension_mobility.empty() &&
      std::find(names.begin(), names.end(), u.extension_mobility) == names.end())
    names.push_back(u.extension_mobility);
  return names;
}

void check_caller_name(const Setup& s, const directory::User& u, const csta::LineUri& line,
                       Report& report) {
  if (!s.company_rules) {
    report.skip("caller-name", "no normalization rules file ([normalize] rules)");
    return;
  }
  if (u.telephone_number.empty()) {
    report.skip("caller-name", "the directory has no telephone number for " + u.id);
    return;
  }
  // The address book normalizes telephoneNumber with these rules; the client finds the name of
  // a caller by comparing that result with the number the gateway reports for the call.
  std::string result;
  const auto outcome = s.company_rules->normalizer->normalize(u.telephone_number, result);
  json ev{{"telephone_number", u.telephone_number},
          {"rules", s.company_rules->file.path},
          {"line_uri", u.line_uri}};
  std::vector<std::string> expected = {line.digits()};
  if (s.inbound_rules) {
    std::string translated;
    if (s.inbound_rules->normalizer->normalize(line.digits(), translated).status ==
        rules::Status::normalized) {
      if (auto t = csta::parse_line_uri(translated)) expected.push_back(t->digits());
    }
  }
  const auto pc = line.phone_context();
  const std::string wanted =
      line.digits() + (pc ? ";phone-context=" + std::string(*pc) : std::string());
  const std::string rule = "add the rule  ^" + regex_escape(u.telephone_number) + "$  ->  " +
                           wanted + "  (two lines) to " + s.company_rules->file.path;
  if (outcome.status != rules::Status::normalized) {
    report
        .warn("caller-name",
              "no rule normalizes " + u.telephone_number + ": calls from " + u.id +
                  " show a number without a name",
              rule)
        .evidence = ev;
    return;
  }
  ev["normalized"] = result;
  ev["rule_line"] = s.company_rules->file.rules[std::size_t(outcome.rule)].pattern_line;
  auto got = csta::parse_line_uri(result);
  if (got && std::find(expected.begin(), expected.end(), got->digits()) != expected.end()) {
    report
        .pass("caller-name", u.telephone_number + " normalizes to " + result +
                                 ", the number of the line: callers see the name")
        .evidence = ev;
    return;
  }
  report
      .warn("caller-name",
            u.telephone_number + " normalizes to " + result + " (rule at line " +
                std::to_string(ev["rule_line"].get<int>()) + "), not to " + wanted +
                ": calls from " + u.id + " show a number without a name",
            rule + ", before line " + std::to_string(ev["rule_line"].get<int>()))
      .evidence = ev;
}

}  // namespace

std::string as_from_uri(const std::string& user) {
  if (util::istarts_with(user, "sip:") || util::istarts_with(user, "sips:")) return user;
  return "sip:" + user;
}

gateway::UserLookup find_user(boost::asio::io_context& ioc, directory::UserSource& users,
                              const std::string& user) {
  std::optional<gateway::UserLookup> out;
  gateway::lookup_user(users, as_from_uri(user),
                       [&](gateway::UserLookup r) { out = std::move(r); });
  // A source that answers later (LDAP) does so on `ioc`; bounded by the source's own timeouts.
  while (!out && ioc.run_one() > 0) {
  }
  if (!out) {
    gateway::UserLookup none;
    none.error = Error(rcc::Errc::invalid_argument, "the user source never answered");
    return none;
  }
  return *out;
}

void check_user(const Setup& s, const gateway::UserLookup& lookup, const AskRegistration& ask,
                Report& report) {
  const auto& dirp = s.directory;
  if (lookup.error) {
    report.fail("user-lookup", "the user source could not answer: " + lookup.error->message(),
                "check the directory source (man 5 rcc-directory)");
    return;
  }
  if (!lookup.user) {
    report
        .fail("user-lookup", "no user found; tried " + join(lookup.tried),
              "the gateway finds a user by user ID, e-mail or ocsPrimaryAddress: set one of them "
              "to the sign-in address in AD (or in the directory file " +
                  s.directory_path + ")")
        .evidence = json{{"tried", lookup.tried}};
    return;
  }
  const directory::User& u = *lookup.user;
  {
    std::string reason = "found " + u.id + " by " + std::string(gateway::to_string(lookup.by));
    if (lookup.tried.size() > 1)
      reason += " (not by " +
                join(std::vector<std::string>(lookup.tried.begin(), lookup.tried.end() - 1)) + ")";
    if (lookup.tried.empty()) reason = u.id + ": listed by the user source";
    report.pass("user-lookup", reason).evidence = json{
        {"user", u.id}, {"matched_by", gateway::to_string(lookup.by)}, {"tried", lookup.tried}};
  }
  if (!u.rcc_enabled) {
    report.fail("rcc-enabled", u.id + " is not enabled for Remote Call Control",
                "OCS/Lync: user properties > Enable Remote Call Control (directory: rcc-enabled "
                "= true)");
  } else {
    report.pass("rcc-enabled", u.id + " is enabled for Remote Call Control");
  }

  // --- the line URI ---
  if (u.line_uri.empty()) {
    report.fail("line-uri", u.id + " has no line URI",
                "set the Line URI (msRTCSIP-Line) to tel:DN;phone-context=dialstring");
    return;
  }
  auto line = csta::parse_line_uri(u.line_uri);
  if (!line && line.error().code() == csta::Errc::phone_context_on_global) {
    report.pass("line-uri", u.line_uri + " is a tel: URI");
    report
        .fail("line-uri-dialstring",
              u.line_uri +
                  " is an E.164 number with phone-context=dialstring: the client never "
                  "sends the INVITE",
              "drop ;phone-context=dialstring from the Line URI of " + u.id +
                  " (E.164 numbers take none), or use the DN: tel:DN;phone-context=dialstring")
        .evidence = json{{"line_uri", u.line_uri}};
    return;
  }
  if (!line) {
    report
        .fail("line-uri", u.line_uri + ": " + line.error().message(),
              "set the Line URI of " + u.id + " to tel:DN;phone-context=dialstring")
        .evidence = json{{"line_uri", u.line_uri}};
    return;
  }
  report.pass("line-uri",
              u.line_uri + " parses: DN " + line->digits() +
                  (line->device() ? ", device=" + std::string(*line->device()) : "") +
                  (line->partition() ? ", partition=" + std::string(*line->partition()) : ""));
  report.pass("line-uri-dialstring", line->is_global()
                                         ? "E.164 number without phone-context"
                                         : "local number with phone-context=" +
                                               std::string(line->phone_context().value_or("")));
  if (!dirp) {
    report.skip("dn-exists", "no directory (see config-directory)");
    return;
  }
  const auto& dir = *dirp;

  // --- the DN and the device ---
  const auto with_dn = dir.devices_with_dn(line->digits());
  const auto names = user_devices(u);
  if (with_dn.empty()) {
    report.fail("dn-exists", "no device carries DN " + line->digits(),
                "call manager: give one of " + u.id + "'s devices (" +
                    (names.empty() ? std::string("none associated") : join(names)) + ") the line " +
                    line->digits() + ", or correct the Line URI");
  } else {
    std::vector<std::string> on;
    for (const auto* d : with_dn)
      on.push_back(d->name);
    report.pass("dn-exists", "DN " + line->digits() + " is on " + join(on)).evidence =
        json{{"devices", on}};
  }

  const bool lcs = s.gateway.mode == gateway::ServerMode::lcs;
  if (lcs && names.size() > 2) {
    report
        .fail("lcs-device-limit",
              "LCS mode allows two devices per user; " + u.id + " has " +
                  std::to_string(names.size()) + " (" + join(names) + ")" +
                  (u.extension_mobility.empty() ? "" : ", Extension Mobility included"),
              "call manager: associate at most two devices with " + u.id +
                  " (log out of Extension Mobility), or set [gateway] server-type = \"ocs\"")
        .evidence = json{{"devices", names}};
  } else {
    report.pass("lcs-device-limit",
                lcs ? u.id + " has " + std::to_string(names.size()) + " device(s), at most two"
                    : "OCS mode: no limit on devices per user");
  }

  auto registered = [&](const directory::Device& d) {
    return ask(d).registered.value_or(d.registered);
  };
  const auto choice = gateway::select_device(dir, u, *line, s.gateway.mode, registered);
  json cev{{"refusal", gateway::to_string(choice.refusal)}, {"devices", choice.devices}};
  using gateway::Refusal;
  if (choice.refusal == Refusal::unknown_dn || choice.refusal == Refusal::too_many_devices) {
    report
        .skip("device-selection", "the gateway refuses the sign-in (" +
                                      std::string(gateway::to_string(choice.refusal)) +
                                      "): " + choice.reason)
        .evidence = cev;
  } else if (choice.refusal != Refusal::none) {
    std::string fix = choice.refusal == Refusal::ambiguous_device
                          ? "add ;device=NAME to the Line URI of " + u.id
                          : "correct device= in the Line URI of " + u.id +
                                " to a device that carries DN " + line->digits();
    report
        .fail("device-selection",
              "the gateway refuses the sign-in (" +
                  std::string(gateway::to_string(choice.refusal)) + ", SIP " +
                  std::to_string(gateway::sip_status(choice.refusal)) + "): " + choice.reason,
              fix)
        .evidence = cev;
  } else {
    report
        .pass("device-selection",
              "the gateway controls " + join(choice.devices, " or ") + ": " + choice.reason)
        .evidence = cev;
  }

  // --- the chosen devices: registered, name, permission ---
  std::vector<const directory::Device*> chosen;
  for (const auto& n : choice.devices)
    if (const auto* d = dir.device(n)) chosen.push_back(d);
  if (chosen.empty()) {
    report.skip("device-registered", "no device chosen");
  } else {
    for (const auto* d : chosen) {
      const auto r = ask(*d);
      const bool reg = r.registered.value_or(d->registered);
      const std::string source = r.registered ? r.source : "the directory file";
      json ev{{"device", d->name}, {"source", source}};
      if (reg)
        report.pass("device-registered", d->name + " is registered (" + source + ")").evidence = ev;
      else
        report
            .fail("device-registered", d->name + " is not registered (" + source + ")",
                  "the phone must be registered with the call manager: check its power and "
                  "network, and its status in the call manager's Device > Phone page")
            .evidence = ev;
    }
  }
  std::vector<std::string> like_user;
  for (const auto& n : names)
    if (util::iequals(n, u.id)) like_user.push_back(n);
  if (!like_user.empty())
    report.warn("device-name",
                "device '" + like_user.front() +
                    "' is named like its user: the gateway cannot "
                    "switch control to it",
                "rename the device in the call manager (e.g. SEP<MAC> or CSF<user>)");
  else
    report.pass("device-name", "no device of " + u.id + " is named like the user");

  if (!s.application_user) {
    report.skip("device-model-permission", "the application user is not in the directory");
  } else if (chosen.empty()) {
    report.skip("device-model-permission", "no device chosen");
  } else {
    const auto& app = *s.application_user;
    std::string problem, fix;
    for (const auto* d : chosen) {
      if (!app.in_group(directory::kCtiControlAllDevices)) {
        problem = "application user '" + app.id + "' is not in '" +
                  directory::kCtiControlAllDevices + "': it cannot control " + d->name;
        fix = "call manager: add '" + app.id + "' to '" + directory::kCtiControlAllDevices + "'";
        break;
      }
      if (dir.needs_connected_xfer_conf(d->model) &&
          !app.in_group(directory::kCtiConnectedXferConf)) {
        problem = d->name + " is a " + d->model + ", which needs the application user in '" +
                  directory::kCtiConnectedXferConf + "'";
        fix = "call manager: add '" + app.id + "' to '" + directory::kCtiConnectedXferConf + "'";
        break;
      }
    }
    if (problem.empty())
      report.pass("device-model-permission", "application user '" + app.id + "' may control " +
                                                 chosen.front()->model + " devices");
    else
      report.fail("device-model-permission", problem, fix).evidence =
          json{{"application_user", app.id}, {"groups", app.groups}};
  }

  if (!u.groups_known)
    report.warn("user-group", "the directory does not say which groups " + u.id + " is in",
                std::string("list the end user's groups (groups = [\"") + directory::kCcmEndUsers +
                    "\"]) in " + s.directory_path);
  else if (std::find(u.groups.begin(), u.groups.end(), directory::kCcmEndUsers) == u.groups.end())
    report
        .fail("user-group", u.id + " is not in '" + directory::kCcmEndUsers + "'",
              std::string("call manager: User Management > End User > ") + u.id +
                  ": add to the group '" + directory::kCcmEndUsers + "'")
        .evidence = json{{"groups", u.groups}};
  else
    report.pass("user-group", u.id + " is in '" + directory::kCcmEndUsers + "'");

  check_caller_name(s, u, *line, report);
}

}  // namespace rcc::troubleshoot
