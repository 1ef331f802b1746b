// rcc-csr ca init / ca sign: a small file-based lab CA for offline labs and tests.
#include <unistd.h>

#include <ctime>
#include <iostream>

#include "commands.h"
#include "diag/exit_code.h"
#include "output.h"
#include "pki/ca.h"
#include "pki/decode.h"
#include "pki/encode.h"
#include "pki/inspect.h"

namespace rcc::csr_tool {

CaCommands add_ca(CLI::App& app, CaOptions& o) {
  CaCommands c{};
  c.ca = app.add_subcommand("ca", "a small file-based lab CA (not for production)");
  c.ca->require_subcommand(1);
  c.init = c.ca->add_subcommand("init", "create the CA: key, self-signed root, serial file");
  c.sign = c.ca->add_subcommand("sign", "sign a request with the lab CA");
  for (auto* cmd : {c.init, c.sign}) {
    cmd->add_option("--dir", o.dir, "the CA's directory (ca.key, ca.crt, serial)")
        ->capture_default_str();
    cmd->add_flag("--force", o.force,
                  cmd == c.init ? "replace an existing CA" : "replace an existing output file");
  }
  c.init->add_option("--cn", o.cn, "the CA's name")->capture_default_str();
  std::string specs;
  for (const char* s : pki::kKeySpecs)
    specs += std::string(specs.empty() ? "" : "|") + s;
  c.init->add_option("--key-type", o.key_type, "the CA's key: " + specs)->capture_default_str();
  c.init->add_option("--days", o.init_days, "validity of the CA certificate")
      ->capture_default_str()
      ->check(CLI::Range(1, 36500));
  c.sign->add_option("request", o.csr, "the certificate request (CSR) to sign")->required();
  c.sign->add_option("-o,--out", o.out, "certificate file (default: the request's name + .crt)");
  c.sign->add_option("--days", o.sign_days, "validity of the certificate")
      ->capture_default_str()
      ->check(CLI::Range(1, 36500));
  return c;
}

int run_ca_init(const CaOptions& o) {
  auto spec = pki::parse_key_spec(o.key_type);
  if (!spec) return usage_error(spec.error());
  pki::Subject subject;
  subject.cn = o.cn;
  const pki::CaPaths paths{o.dir};
  if (auto r = pki::ca_init(paths, *spec, subject, o.init_days, o.force, std::time(nullptr)); !r) {
    return usage_error(r.error());
  }
  std::cout << "CA '" << o.cn << "' in " << o.dir << ": " << paths.key() << " (mode 0600), "
            << paths.certificate() << ", " << paths.serial() << '\n'
            << "peers must trust " << paths.certificate() << " (rcc-csr check --trust "
            << paths.certificate() << ")\n";
  return exit_code::kOk;
}

int run_ca_sign(const CaOptions& o) {
  auto decoded = pki::load(o.csr);
  if (!decoded) return usage_error(decoded.error());
  X509_REQ* request = nullptr;
  for (const auto& object : decoded->objects)
    if (object.kind == pki::Kind::request) request = object.request.get();
  if (request == nullptr) {
    return usage_error(o.csr + ": holds a " +
                       std::string(pki::kind_name(decoded->objects.front().kind)) +
                       ", not a certificate request");
  }
  std::string out = o.out;
  if (out.empty()) {
    const auto dot = o.csr.rfind('.');
    const auto slash = o.csr.rfind('/');
    const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash);
    out = (has_ext ? o.csr.substr(0, dot) : o.csr) + ".crt";
  }
  // Refuse before the serial number is used up.
  if (!o.force && ::access(out.c_str(), F_OK) == 0) {
    return usage_error(out + ": exists (give --force to replace it)");
  }
  auto signed_cert = pki::ca_sign(pki::CaPaths{o.dir}, request, o.sign_days, std::time(nullptr));
  if (!signed_cert) return usage_error(signed_cert.error());
  if (auto r = pki::write_file(out, pki::to_pem(signed_cert->certificate.get()),
                               pki::FileMode::public_data, o.force);
      !r) {
    return usage_error(r.error());
  }
  const auto info = pki::inspect(signed_cert->certificate.get());
  std::cout << out << ": " << info.subject << ", serial " << info.serial << ", valid until "
            << info.not_after << '\n';
  std::string kept, dropped;
  for (const auto& k : signed_cert->kept)
    kept += (kept.empty() ? "" : ", ") + k;
  for (const auto& d : signed_cert->dropped)
    dropped += (dropped.empty() ? "" : ", ") + d;
  std::cout << "  kept from the request: " << (kept.empty() ? "(nothing)" : kept) << '\n';
  if (!dropped.empty()) std::cout << "  dropped: " << dropped << '\n';
  return exit_code::kOk;
}

}  // namespace rcc::csr_tool
