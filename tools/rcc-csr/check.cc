// rcc-csr check: is this certificate, key and chain (or a live TLS peer's chain) what an OCS/Lync
// RCC peer accepts? One line per check; exit 0 all pass, 1 any FAIL, 2 usage or unreadable input.
#include <ctime>
#include <iostream>

#include "commands.h"
#include "diag/exit_code.h"
#include "output.h"
#include "pki/check.h"
#include "pki/csr.h"
#include "pki/decode.h"
#include "pki/inspect.h"
#include "pki/key.h"
#include "pki/tls_probe.h"

namespace rcc::csr_tool {
namespace {

using nlohmann::json;

// The certificate of a bundle or .p7b that issued none of the others: the end entity. Windows
// CAs write .p7b chains root first, so file order cannot be trusted.
std::size_t leaf_index(const std::vector<X509*>& certs) {
  for (std::size_t i = 0; i < certs.size(); ++i) {
    bool issuer = false;
    for (std::size_t j = 0; j < certs.size() && !issuer; ++j)
      issuer = i != j && X509_check_issued(certs[i], certs[j]) == X509_V_OK;
    if (!issuer) return i;
  }
  return 0;
}

}  // namespace

CLI::App* add_check(CLI::App& app, CheckOptions& o) {
  auto* cmd = app.add_subcommand(
      "check", "check a certificate, its key and chain (or a live TLS peer) for OCS/Lync");
  auto* cert = cmd->add_option("--cert", o.cert,
                               "the gateway's certificate (the file may also hold its chain)");
  auto* key = cmd->add_option("--key", o.key, "its private key: check that it matches");
  cmd->add_option("--chain", o.chain,
                  "intermediate certificates: .p7b, PEM bundle, DER (repeatable)");
  cmd->add_option("--trust", o.trust,
                  "root certificates the peers trust (repeatable; default: the system's roots)");
  cmd->add_option("--fqdn", o.fqdn,
                  "the name peers use (static route, host authorization); default with "
                  "--connect: the host");
  cmd->add_option("--warn-days", o.warn_days, "warn when a certificate expires within N days")
      ->capture_default_str()
      ->check(CLI::Range(0, 36500));
  auto* connect = cmd->add_option("--connect", o.connect,
                                  "check the chain a live TLS peer presents at HOST:PORT");
  cmd->add_option("--timeout", o.timeout, "seconds to wait for each TLS connection (--connect)")
      ->capture_default_str()
      ->check(CLI::Range(0.1, 300.0));
  cmd->add_flag("--no-cipher-scan", o.no_cipher_scan,
                "with --connect: probe TLS versions only, not each cipher suite");
  cmd->add_flag("-j,--json", o.json, "JSON output");
  connect->excludes(cert)->excludes(key);
  return cmd;
}

int run_check(const CheckOptions& o) {
  if (o.cert.empty() && o.connect.empty()) {
    return usage_error("check needs --cert FILE or --connect HOST:PORT");
  }
  pki::CheckInput in;
  in.now = std::time(nullptr);
  in.warn_days = o.warn_days;
  in.fqdn = o.fqdn;
  std::vector<pki::Decoded> files;  // owns every certificate `in` points to
  std::vector<util::X509Ptr> peer_chain;
  std::string source;
  json tls = nullptr;

  if (!o.connect.empty()) {
    auto hp = pki::split_host_port(o.connect);
    if (!hp) return usage_error(hp.error());
    pki::ProbeOptions probe;
    probe.host = hp->first;
    probe.port = hp->second;
    probe.timeout_ms = int(o.timeout * 1000);
    probe.scan_ciphers = !o.no_cipher_scan;
    auto result = pki::probe_tls(probe);
    if (!result) return usage_error(result.error());
    peer_chain = std::move(result->chain);
    in.certificate = peer_chain.front().get();
    for (std::size_t i = 1; i < peer_chain.size(); ++i)
      in.untrusted.push_back(peer_chain[i].get());
    if (in.fqdn.empty() && !pki::is_ip_address(probe.host)) in.fqdn = probe.host;
    source = o.connect;
    tls = json{{"version", result->version},
               {"cipher", result->cipher},
               {"certificates", peer_chain.size()},
               {"handshake_error",
                result->handshake_error.empty() ? json(nullptr) : json(result->handshake_error)},
               {"versions", json::array()}};
    for (const auto& v : result->versions) {
      tls["versions"].push_back(
          json{{"version", v.version}, {"accepted", v.accepted}, {"ciphers", v.ciphers}});
    }
    if (!o.json) {
      std::cout << "peer " << o.connect << ": " << result->version << ' ' << result->cipher << ", "
                << peer_chain.size() << " certificate(s) sent\n";
      if (!result->handshake_error.empty()) {
        std::cout << "handshake failed after the peer's certificates (does it require a client "
                     "certificate?): "
                  << result->handshake_error << '\n';
      }
      for (const auto& v : result->versions) {
        std::cout << v.version << ": " << (v.accepted ? "accepted" : "refused");
        if (v.accepted && !v.ciphers.empty()) {
          std::cout << ':';
          for (const auto& c : v.ciphers)
            std::cout << ' ' << c;
        }
        std::cout << '\n';
      }
    }
  } else {
    auto decoded = pki::load(o.cert);
    if (!decoded) return usage_error(decoded.error());
    const auto certs = decoded->certificates();
    if (certs.empty()) {
      return usage_error(o.cert + ": holds a " +
                         std::string(pki::kind_name(decoded->objects.front().kind)) +
                         ", not a certificate (a request must be signed by the CA first)");
    }
    const std::size_t leaf = leaf_index(certs);
    in.certificate = certs[leaf];
    for (std::size_t i = 0; i < certs.size(); ++i)
      if (i != leaf) in.untrusted.push_back(certs[i]);
    files.push_back(std::move(*decoded));
    source = o.cert;
  }

  util::EvpPkeyPtr key;
  if (!o.key.empty()) {
    auto loaded = pki::load_private_key(o.key);
    if (!loaded) return usage_error(loaded.error());
    key = std::move(*loaded);
    in.key = key.get();
    in.key_name = o.key;
  }
  for (const auto& [paths, target] :
       {std::pair{&o.chain, &in.untrusted}, {&o.trust, &in.trusted}}) {
    for (const auto& path : *paths) {
      auto decoded = pki::load(path);
      if (!decoded) return usage_error(decoded.error());
      const auto certs = decoded->certificates();
      if (certs.empty()) return usage_error(path + ": holds no certificate");
      target->insert(target->end(), certs.begin(), certs.end());
      files.push_back(std::move(*decoded));
    }
  }
  in.system_trust = in.trusted.empty();

  const auto findings = pki::run_checks(in);
  const auto worst = pki::overall(findings);
  std::size_t counts[3] = {0, 0, 0};
  for (const auto& f : findings)
    ++counts[int(f.status)];
  if (o.json) {
    json list = json::array();
    for (const auto& f : findings) {
      list.push_back(json{{"check", f.check},
                          {"status", pki::status_name(f.status)},
                          {"reason", f.reason},
                          {"fix", f.fix.empty() ? json(nullptr) : json(f.fix)}});
    }
    json out{{"source", source},
             {"certificate", to_json(pki::inspect(in.certificate))},
             {"fqdn", in.fqdn.empty() ? json(nullptr) : json(in.fqdn)},
             {"checks", list},
             {"result", pki::status_name(worst)},
             {"passed", counts[0]},
             {"warnings", counts[1]},
             {"failed", counts[2]}};
    if (!tls.is_null()) out["tls"] = tls;
    std::cout << dump(out) << '\n';
  } else {
    for (const auto& f : findings) {
      std::cout << pki::status_name(f.status) << ' ' << f.check << ": " << f.reason;
      if (!f.fix.empty()) std::cout << "; fix: " << f.fix;
      std::cout << '\n';
    }
    std::cout << "result: " << pki::status_name(worst) << " (" << counts[0] << " passed, "
              << counts[1] << " warned, " << counts[2] << " failed)\n";
  }
  return worst == pki::Status::fail ? exit_code::kFailure : exit_code::kOk;
}

}  // namespace rcc::csr_tool
