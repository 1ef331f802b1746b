// rcc-csr show: what a request, certificate, .p7b chain or key holds, whatever its encoding.
#include <iostream>

#include "commands.h"
#include "diag/exit_code.h"
#include "output.h"
#include "pki/decode.h"

namespace rcc::csr_tool {

CLI::App* add_show(CLI::App& app, ShowOptions& o) {
  auto* cmd = app.add_subcommand(
      "show", "show what certificates, requests, .p7b chains or keys hold (PEM, DER or base64)");
  cmd->add_option("file", o.files, "files to show")->required();
  cmd->add_flag("-j,--json", o.json, "JSON output: an array with one object per file");
  return cmd;
}

int run_show(const ShowOptions& o) {
  nlohmann::json files = nlohmann::json::array();
  int status = exit_code::kOk;
  bool first = true;
  for (const auto& path : o.files) {
    auto decoded = pki::load(path);
    if (!decoded) {
      // Keep going: the other files may be fine; the exit code still says something was not.
      usage_error(decoded.error());
      status = exit_code::kUsage;
      continue;
    }
    if (o.json) {
      nlohmann::json objects = nlohmann::json::array();
      for (const auto& object : decoded->objects)
        objects.push_back(to_json(object));
      files.push_back({{"file", path},
                       {"encoding", pki::encoding_name(decoded->encoding)},
                       {"pkcs7", decoded->pkcs7},
                       {"objects", objects}});
      continue;
    }
    std::size_t index = 0;
    for (const auto& object : decoded->objects) {
      if (!first) std::cout << '\n';
      first = false;
      std::cout << path;
      if (decoded->objects.size() > 1) {
        std::cout << " [" << ++index << '/' << decoded->objects.size() << ']';
      }
      std::cout << ": " << pki::kind_name(object.kind) << " ("
                << pki::encoding_name(decoded->encoding) << (object.from_pkcs7 ? ", PKCS#7" : "")
                << ")\n";
      print(std::cout, object);
    }
  }
  if (o.json) std::cout << dump(files) << '\n';
  return status;
}

}  // namespace rcc::csr_tool
