// rcc-csr new: a key (or --key) and a PKCS#10 request for the gateway's certificate.
#include <unistd.h>

#include <iostream>

#include "commands.h"
#include "diag/exit_code.h"
#include "output.h"
#include "pki/csr.h"
#include "pki/encode.h"
#include "pki/inspect.h"
#include "pki/key.h"

namespace rcc::csr_tool {

CLI::App* add_new(CLI::App& app, NewOptions& o) {
  auto* cmd = app.add_subcommand("new", "make a key and a certificate request (CSR) for the FQDN");
  cmd->add_option("--cn", o.subject.cn,
                  "the gateway's FQDN, as the OCS/Lync static route and host authorization name it")
      ->required();
  cmd->add_option("--san", o.sans,
                  "another DNS name or IP address for the subjectAltName (repeatable; the CN is "
                  "always included)");
  std::string specs;
  for (const char* s : pki::kKeySpecs)
    specs += std::string(specs.empty() ? "" : "|") + s;
  auto* type =
      cmd->add_option("--key-type", o.key_type, "key to generate: " + specs)->capture_default_str();
  cmd->add_option("--key", o.key_in, "use this existing private key (PEM or DER, mode 0600)")
      ->excludes(type);
  cmd->add_option("-o,--out", o.out,
                  "request file (default: the CN's first label + .csr; '-' for stdout)");
  cmd->add_option("--key-out", o.key_out, "new key file (default: the CN's first label + .key)");
  cmd->add_option("--org", o.subject.o, "subject O (organization)");
  cmd->add_option("--org-unit", o.subject.ou, "subject OU (organizational unit)");
  cmd->add_option("--locality", o.subject.l, "subject L (city)");
  cmd->add_option("--state", o.subject.st, "subject ST (state or province)");
  cmd->add_option("--country", o.subject.c, "subject C (two-letter country code)");
  cmd->add_flag("--der", o.der, "write the request as DER instead of PEM");
  cmd->add_flag("--force", o.force, "replace existing output files");
  return cmd;
}

int run_new(const NewOptions& o) {
  const std::string stem = o.subject.cn.substr(0, o.subject.cn.find('.'));
  const std::string out = o.out.empty() ? stem + ".csr" : o.out;
  const std::string key_out = o.key_out.empty() ? stem + ".key" : o.key_out;
  // Check everything about the names before spending time on a key.
  if (auto name = pki::make_name(o.subject); !name) return usage_error(name.error());
  if (auto sans = pki::san_entries(o.subject.cn, o.sans); !sans) return usage_error(sans.error());

  util::EvpPkeyPtr key;
  bool new_key = false;
  if (!o.key_in.empty()) {
    auto loaded = pki::load_private_key(o.key_in);
    if (!loaded) return usage_error(loaded.error());
    key = std::move(*loaded);
  } else {
    auto spec = pki::parse_key_spec(o.key_type);
    if (!spec) return usage_error(spec.error());
    // Refuse before generating: a 4096-bit key takes seconds.
    if (!o.force && ::access(key_out.c_str(), F_OK) == 0) {
      return usage_error(key_out + ": exists (give --force to replace it, or --key to use it)");
    }
    auto made = pki::generate_key(*spec);
    if (!made) return usage_error(made.error());
    key = std::move(*made);
    new_key = true;
  }
  pki::RequestOptions request;
  request.subject = o.subject;
  request.sans = o.sans;
  auto req = pki::build_request(key.get(), request);
  if (!req) return usage_error(req.error());
  const std::string encoded = o.der ? pki::to_der(req->get()) : pki::to_pem(req->get());
  if (out != "-") {
    // The request first: if it cannot be written, no orphan key is left behind.
    if (auto r = pki::write_file(out, encoded, pki::FileMode::public_data, o.force); !r) {
      return usage_error(r.error());
    }
  }
  if (new_key) {
    if (auto r = pki::write_file(key_out, pki::private_key_pem(key.get()),
                                 pki::FileMode::private_key, o.force);
        !r) {
      return usage_error(r.error());
    }
  }
  if (out == "-") {
    std::cout << encoded;
    return exit_code::kOk;
  }
  // Not inspect(): that verifies the request's signature again, a whole EC or RSA operation.
  auto sans = pki::san_entries(o.subject.cn, o.sans);
  std::string san_text;
  for (const auto& s : *sans)
    san_text += (san_text.empty() ? "" : ", ") + s;
  if (new_key) {
    std::cout << "key:     " << key_out << " (" << pki::describe_key(key.get()).text()
              << ", mode 0600)\n";
  }
  std::cout << "request: " << out << " (" << (o.der ? "DER" : "PEM") << ")\n"
            << "  subject: " << pki::name_text(X509_REQ_get_subject_name(req->get())) << '\n'
            << "  SAN:     " << san_text << '\n'
            << "  EKU:     serverAuth (" << pki::kServerAuthOid << "), clientAuth ("
            << pki::kClientAuthOid << ")\n"
            << "next: submit " << out << " to the CA (or: rcc-csr ca sign " << out
            << "), then: rcc-csr check --cert CERT"
            << " --key " << (new_key ? key_out : o.key_in) << " --fqdn " << o.subject.cn
            << " --chain CHAIN --trust ROOT\n";
  return exit_code::kOk;
}

}  // namespace rcc::csr_tool
