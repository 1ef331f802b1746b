// rcc-csr convert: DER <-> PEM, a .p7b chain to a PEM bundle, a Windows .cer to .pem.
#include <iostream>

#include "commands.h"
#include "diag/exit_code.h"
#include "output.h"
#include "pki/decode.h"
#include "pki/encode.h"
#include "pki/key.h"

namespace rcc::csr_tool {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::string encode(const pki::Object& o, bool der) {
  switch (o.kind) {
    case pki::Kind::certificate:
      return der ? pki::to_der(o.certificate.get()) : pki::to_pem(o.certificate.get());
    case pki::Kind::request:
      return der ? pki::to_der(o.request.get()) : pki::to_pem(o.request.get());
    case pki::Kind::private_key:
      return der ? pki::private_key_der(o.key.get()) : pki::private_key_pem(o.key.get());
    case pki::Kind::public_key:
      return der ? pki::public_key_der(o.key.get()) : pki::public_key_pem(o.key.get());
  }
  return {};
}

}  // namespace

CLI::App* add_convert(CLI::App& app, ConvertOptions& o) {
  auto* cmd = app.add_subcommand(
      "convert", "convert between PEM and DER; a .p7b chain or a .cer to a PEM bundle");
  cmd->add_option("input", o.in, "file to convert (PEM, DER, base64, PKCS#7)")->required();
  cmd->add_option("-o,--out", o.out, "output file ('-' for stdout)")->required();
  cmd->add_option("--to", o.to, "output encoding (default: der for a .der file, else pem)")
      ->check(CLI::IsMember({"pem", "der"}));
  cmd->add_flag("--force", o.force, "replace an existing output file");
  return cmd;
}

int run_convert(const ConvertOptions& o) {
  const bool der = o.to.empty() ? ends_with(o.out, ".der") : o.to == "der";
  auto decoded = pki::load(o.in);
  if (!decoded) return usage_error(decoded.error());
  bool has_private = false;
  for (const auto& object : decoded->objects)
    has_private = has_private || object.kind == pki::Kind::private_key;
  if (has_private) {
    // A key is converted only from a file kept as a key must be (mode 0600).
    if (auto key = pki::load_private_key(o.in); !key) return usage_error(key.error());
  }
  const std::size_t n = decoded->objects.size();
  if (der && n != 1) {
    return usage_error(o.in + ": holds " + std::to_string(n) +
                       " objects and DER holds one; write a PEM bundle instead (--to pem)");
  }
  std::string text;
  for (const auto& object : decoded->objects)
    text += encode(object, der);
  if (o.out == "-") {
    std::cout << text;
    return exit_code::kOk;
  }
  const auto mode = has_private ? pki::FileMode::private_key : pki::FileMode::public_data;
  if (auto r = pki::write_file(o.out, text, mode, o.force); !r) return usage_error(r.error());
  std::cout << o.out << ": " << n << (n == 1 ? " object" : " objects") << " from " << o.in << " ("
            << pki::encoding_name(decoded->encoding) << (decoded->pkcs7 ? ", PKCS#7" : "")
            << ") written as " << (der ? "DER" : "PEM") << '\n';
  return exit_code::kOk;
}

}  // namespace rcc::csr_tool
