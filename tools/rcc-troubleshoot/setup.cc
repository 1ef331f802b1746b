#include "setup.h"

#include <ctime>
#include <filesystem>

#include "cti/probe.h"
#include "pki/check.h"
#include "pki/csr.h"
#include "pki/decode.h"
#include "pki/inspect.h"
#include "pki/key.h"
#include "pki/tls_probe.h"
#include "util/text.h"

namespace rcc::troubleshoot {
namespace {

using nlohmann::json;

std::unique_ptr<Rules> load_rules(const std::string& path, rules::NormalizeOptions options,
                                  const std::string& key, Report& report) {
  auto file = rules::load_rule_file(path);
  if (!file) {
    report.fail("config-rules", key + ": " + file.error().message(),
                "point " + key + " at a readable rules file, or remove the key");
    return nullptr;
  }
  if (!file->errors.empty()) {
    report.fail("config-rules", key + ": " + file->errors.front().message(),
                "correct the rule in " + path + " (rcc-normalize-test --lint shows every problem)");
    return nullptr;
  }
  auto r = std::make_unique<Rules>();
  r->file = std::move(*file);
  r->normalizer = std::make_unique<rules::Normalizer>(r->file, options);
  return r;
}

/// [normalize] as rcc-normalize-test reads it; the rules path is used as written.
void load_normalize(const config::Document& doc, Setup& s, Report& report) {
  config::Section section(doc, "normalize");
  const auto path = section.string("rules");
  const auto preprocess = section.choice("preprocess", {"none", "lync"});
  section.choice("semantics", {"result", "replace"});
  section.reject_unknown_keys();
  rules::NormalizeOptions options;
  if (preprocess && *preprocess == "lync") options.preprocess = rules::Preprocess::lync;
  if (path) s.company_rules = load_rules(*path, options, "[normalize] rules", report);
}

void check_listener(const SetupOptions& o, const Setup& s, Report& report) {
  std::vector<std::string> listeners;
  if (!s.gateway.listen_tcp.empty()) listeners.push_back("tcp " + s.gateway.listen_tcp);
  if (!s.gateway.listen_tls.empty()) listeners.push_back("tls " + s.gateway.listen_tls);
  std::string list;
  for (const auto& l : listeners)
    list += (list.empty() ? "" : ", ") + l;
  if (o.transport.empty()) {
    report.pass("config-listener", "listening on " + list).evidence =
        json{{"listeners", listeners}};
    return;
  }
  const bool tls = o.transport == "tls";
  const std::string& have = tls ? s.gateway.listen_tls : s.gateway.listen_tcp;
  if (have.empty()) {
    report
        .fail("config-listener",
              "OCS uses " + o.transport + " but the gateway has no " + o.transport + " listener (" +
                  list + ")",
              tls ? "set [gateway] listen-tls (with tls-certificate, tls-key, tls-trust) in " +
                        s.gateway.source
                  : "set [gateway] listen-tcp in " + s.gateway.source +
                        ", or make the OCS static route use TLS")
        .evidence = json{{"listeners", listeners}, {"transport", o.transport}};
    return;
  }
  report.pass("config-listener", "OCS uses " + o.transport + ": the gateway listens on " + have)
      .evidence = json{{"listeners", listeners}, {"transport", o.transport}};
}

/// The FQDN the OCS static route names: [gateway] host, else the TLS listen host.
std::string gateway_fqdn(const Setup& s) {
  if (!s.gateway.host.empty()) return s.gateway.host;
  auto a = cti::parse_node_address(s.gateway.listen_tls);
  return a ? a->host : std::string();
}

void check_tls_identity(const Setup& s, Report& report) {
  if (s.gateway.listen_tls.empty()) {
    report.skip("tls-identity", "no TLS listener ([gateway] listen-tls)");
    return;
  }
  const auto& t = s.gateway.tls;
  auto cert = pki::load(t.cert_file);
  if (!cert || cert->certificates().empty()) {
    report.fail("tls-identity",
                "[gateway] tls-certificate " + t.cert_file + ": " +
                    (cert ? std::string("holds no certificate") : cert.error().message()),
                "point tls-certificate at the gateway's PEM certificate (rcc-csr makes the "
                "request; the enterprise CA signs it)");
    return;
  }
  auto key = pki::load_private_key(t.key_file);
  if (!key) {
    report.fail("tls-identity", "[gateway] tls-key " + t.key_file + ": " + key.error().message(),
                "point tls-key at the private key of the certificate (PEM, unencrypted)");
    return;
  }
  std::optional<pki::Decoded> trust;
  if (!t.ca_file.empty()) {
    auto loaded = pki::load(t.ca_file);
    if (loaded) trust.emplace(std::move(*loaded));
  }
  const auto certs = cert->certificates();
  pki::CheckInput in;
  in.now = std::time(nullptr);
  in.certificate = certs.front();
  in.untrusted.assign(certs.begin() + 1, certs.end());
  in.key = key->get();
  in.key_name = t.key_file;
  if (trust) in.trusted = trust->certificates();
  in.system_trust = in.trusted.empty();
  in.fqdn = gateway_fqdn(s);
  const auto info = pki::inspect(in.certificate);
  const auto days = (info.not_after_unix - in.now) / 86'400;
  for (const auto& f : pki::run_checks(in)) {
    const Status st = f.status == pki::Status::pass   ? Status::pass
                      : f.status == pki::Status::warn ? Status::warn
                                                      : Status::fail;
    auto& c = report.add("tls-" + f.check, st, f.reason, f.fix);
    c.evidence = json{{"certificate", t.cert_file}, {"fqdn", in.fqdn}};
    if (f.check == "validity") c.evidence["days_left"] = days;
  }
}

void check_application_user(Setup& s, Report& report) {
  if (!s.directory) return;
  const std::string& id = s.cti.application_user;
  s.application_user = s.directory->application_user(id);
  if (!s.application_user) {
    report.warn("application-user-group",
                "the directory does not list the CTI application user '" + id +
                    "': its groups cannot be checked",
                "add an [[application-user]] '" + id + "' with its groups to " + s.directory_path);
    return;
  }
  if (!s.application_user->in_group(directory::kCtiEnabled)) {
    report
        .fail("application-user-group",
              "application user '" + id + "' is not in '" + directory::kCtiEnabled + "'",
              std::string("call manager: User Management > Application User > ") + id +
                  ": add it to the group '" + directory::kCtiEnabled + "'")
        .evidence = json{{"groups", s.application_user->groups}};
    return;
  }
  report
      .pass("application-user-group",
            "application user '" + id + "' is in '" + directory::kCtiEnabled + "'")
      .evidence = json{{"groups", s.application_user->groups}};
}

void check_ocs(const SetupOptions& o, const Setup& s, Report& report) {
  // Names with an underscore, wherever the set-up names the OCS side.
  std::vector<std::string> named = s.gateway.acl;
  named.insert(named.end(), s.gateway.tls_peer_subjects.begin(), s.gateway.tls_peer_subjects.end());
  std::string host = o.ocs, port = "5061";
  if (!o.ocs.empty()) {
    if (auto hp = pki::split_host_port(o.ocs)) {
      host = hp->first;
      if (o.ocs.find(':') != std::string::npos && o.ocs.back() != ']') port = hp->second;
    }
    named.insert(named.begin(), host);
  }
  std::vector<std::string> underscored;
  for (const auto& n : named)
    if (n.find('_') != std::string::npos) underscored.push_back(n);
  if (!underscored.empty())
    report
        .warn("ocs-pool-name",
              "'" + underscored.front() +
                  "' has an underscore: the RCC deployment guide forbids "
                  "them in pool and server names",
              "rename the OCS/Lync pool or server without '_' (a DNS alias does not help: the "
              "certificate names it), then update [gateway] acl and tls-peer-subjects")
        .evidence = json{{"names", underscored}};
  else
    report.pass("ocs-pool-name", "no OCS pool or server name has an underscore").evidence =
        json{{"names", named}};

  if (o.ocs.empty()) {
    report.skip("ocs-acl", "no --ocs HOST given");
    report.skip("ocs-tls-subject", "no --ocs HOST given");
    return;
  }
  if (!s.acl) {
    report.skip("ocs-acl", "the [gateway] acl did not build (see config)");
  } else {
    auto addrs = gateway::Acl::system_resolve(host);
    if (!addrs) {
      report.fail("ocs-acl", addrs.error().detail(),
                  "give --ocs a name the gateway host resolves (or an address); the gateway "
                  "resolves its acl entries the same way, at start");
    } else {
      std::vector<std::string> refused, all;
      for (const auto& a : *addrs) {
        all.push_back(a.to_string());
        if (!s.acl->allows(a)) refused.push_back(a.to_string());
      }
      auto& c =
          refused.empty()
              ? report.pass("ocs-acl", host + " (" + all.front() + ") is in the [gateway] acl")
              : report.fail(
                    "ocs-acl",
                    host + " resolves to " + refused.front() + ", which the [gateway] acl refuses",
                    "add " + host + " (or " + refused.front() + ") to [gateway] acl in " +
                        s.gateway.source + ", then restart the gateway");
      c.evidence = json{{"addresses", all}, {"refused", refused}, {"acl", s.gateway.acl}};
    }
  }
  if (s.gateway.listen_tls.empty() || o.transport == "tcp") {
    report.skip("ocs-tls-subject", "OCS does not use TLS to the gateway");
    return;
  }
  pki::ProbeOptions probe;
  probe.host = host;
  probe.port = port;
  probe.timeout_ms = int(o.timeout * 1000);
  probe.scan_ciphers = false;
  auto peer = pki::probe_tls(probe);
  if (!peer || peer->chain.empty()) {
    report.warn("ocs-tls-subject",
                "cannot read the certificate of " + host + ":" + port + ": " +
                    (peer ? std::string("no certificate") : peer.error().message()),
                "run from a host that reaches the OCS pool, or give --ocs HOST:PORT of its TLS "
                "port");
    return;
  }
  const auto info = pki::inspect(peer->chain.front().get());
  std::vector<std::string> names;
  if (!info.common_name.empty()) names.push_back(info.common_name);
  for (const auto& san : info.sans)
    if (san.type == "DNS") names.push_back(san.value);
  json ev{{"subject", info.subject}, {"names", names}, {"allowed", s.gateway.tls_peer_subjects}};
  if (s.gateway.tls_peer_subjects.empty()) {
    report
        .pass("ocs-tls-subject",
              "any verified peer is admitted; " + host + " presents " + info.subject)
        .evidence = ev;
    return;
  }
  for (const auto& n : names)
    for (const auto& allowed : s.gateway.tls_peer_subjects)
      if (util::iequals(n, allowed)) {
        report.pass("ocs-tls-subject", host + " presents '" + n + "', in tls-peer-subjects")
            .evidence = ev;
        return;
      }
  report
      .fail("ocs-tls-subject",
            host + " presents " + info.subject + ", not in [gateway] tls-peer-subjects",
            "add '" + (names.empty() ? host : names.front()) +
                "' to [gateway] tls-peer-subjects in " + s.gateway.source)
      .evidence = ev;
}

void check_cti(const SetupOptions& o, const Setup& s, Report& report) {
  if (s.embedded) {
    report.skip("cti-node", "no [cti] nodes: rcc-gatewayd runs its simulator in-process");
    return;
  }
  auto base = s.cti.link_options(s.cti.nodes.front());
  base.application_id = "rcc-troubleshoot";
  const auto t = cti::Millis(std::int64_t(o.timeout * 1000));
  base.connect_timeout = t;
  base.request_timeout = t;
  base.frame_timeout = t;
  for (const auto& r : cti::probe_all(s.cti.nodes, base)) {
    const std::string node = r.node.host + ":" + r.node.port;
    json ev{{"node", node}, {"total_ms", r.total_ms}};
    if (r.rtt_ms) ev["rtt_ms"] = *r.rtt_ms;
    if (r.connect_ms) ev["connect_ms"] = *r.connect_ms;
    if (r.session_ms) ev["session_ms"] = *r.session_ms;
    if (r.ok) {
      char rtt[32];
      std::snprintf(rtt, sizeof rtt, "%.1f ms", r.rtt_ms.value_or(0));
      report
          .pass("cti-node", node + ": up, application user '" + s.cti.application_user +
                                "' accepted, round trip " + rtt)
          .evidence = ev;
      continue;
    }
    std::string fix = "check that CTI Manager runs on " + node +
                      " and the firewall lets the "
                      "gateway reach it ([cti] nodes)";
    if (r.problem.find("password") != std::string::npos)
      fix =
          "correct [cti] application-user / password-file, or the application user's password "
          "in the call manager";
    else if (r.problem.find("permission") != std::string::npos)
      fix = std::string("add the application user to '") + directory::kCtiEnabled +
            "' in the call manager";
    report.fail("cti-node", node + ": " + r.problem, fix).evidence = ev;
  }
}

}  // namespace

Setup check_setup(const SetupOptions& o, Report& report) {
  Setup s;
  const auto path = config::locate(o.config_path);
  if (!o.config_path.empty() && !std::filesystem::exists(o.config_path))
    throw Exception(
        Error(rcc::Errc::invalid_argument, "--config " + o.config_path + ": no such file"));
  if (!path) {
    report.fail("config", "no configuration file (--config, $RCC_CONFIG, /etc/rcc/rcc.toml)",
                "give --config FILE: the rcc.toml rcc-gatewayd runs with");
    return s;
  }
  auto doc = config::load_file(*path);
  if (!doc) {
    report.fail("config", doc.error().message(), "correct the file at that line and column");
    return s;
  }
  s.doc.emplace(std::move(*doc));
  try {
    s.gateway = gateway::load_gateway_config(*s.doc);
    s.cti = cti::load_cti_config(*s.doc);
    load_normalize(*s.doc, s, report);
  } catch (const Exception& e) {
    report.fail("config", e.error().message(), "correct the key at that line and column");
    return s;
  }
  s.config_ok = true;
  s.embedded = s.cti.nodes.empty();
  if (s.embedded && s.cti.application_user.empty()) s.cti.application_user = "rccgateway";
  report.pass("config", *path + ": [gateway], [cti], [directory] and [normalize] are valid")
      .evidence = json{{"file", *path}, {"embedded_simulator", s.embedded}};

  if (s.gateway.directory_file.empty()) {
    report.fail("config-directory", "no [directory] file: the users cannot be looked up",
                "set [directory] file in " + *path);
  } else {
    s.directory_path = s.gateway.directory_file;
    auto dir = directory::load_directory_file(s.directory_path);
    if (!dir) {
      report.fail("config-directory", dir.error().message(),
                  "correct the directory file at that line and column (man 5 rcc-directory)");
    } else {
      s.directory.emplace(std::move(*dir));
      report
          .pass("config-directory", s.directory_path + ": " +
                                        std::to_string(s.directory->users().size()) + " users, " +
                                        std::to_string(s.directory->devices().size()) + " devices")
          .evidence = json{{"file", s.directory_path}};
    }
  }
  if (!s.gateway.inbound_rules.empty())
    s.inbound_rules = load_rules(s.gateway.inbound_rules, {}, "[gateway] inbound-rules", report);
  if (!s.gateway.outbound_rules.empty())
    load_rules(s.gateway.outbound_rules, {}, "[gateway] outbound-rules", report);
  bool rules_failed = false;
  for (const auto& c : report.checks())
    rules_failed |= c.id == "config-rules";
  if (!rules_failed && (s.company_rules || s.inbound_rules || !s.gateway.outbound_rules.empty()))
    report.pass("config-rules", "the normalization rules files load and compile");

  auto acl = gateway::Acl::build(s.gateway.acl, gateway::Acl::system_resolve);
  if (!acl)
    report.fail("config-acl", "[gateway] acl: " + acl.error().message(),
                "correct the entry in [gateway] acl of " + *path +
                    " (addresses, CIDR ranges, host names this host resolves)");
  else
    s.acl.emplace(std::move(*acl));

  check_listener(o, s, report);
  check_tls_identity(s, report);
  check_application_user(s, report);
  check_ocs(o, s, report);
  check_cti(o, s, report);
  return s;
}

}  // namespace rcc::troubleshoot
