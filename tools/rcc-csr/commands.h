#pragma once
// rcc-csr's subcommands: one options struct, one add_* (declares the CLI11 subcommand) and one
// run_* (does the work, returns the exit code) per subcommand, each pair in its own file.

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pki/csr.h"
#include "tool_cli.h"

namespace rcc::csr_tool {

struct NewOptions {
  pki::Subject subject;
  std::vector<std::string> sans;
  std::string key_type = "rsa:2048";
  std::string key_in;   ///< --key: use this key instead of making one
  std::string out;      ///< -o; default: the CN's first label + ".csr"
  std::string key_out;  ///< --key-out; default: the CN's first label + ".key"
  bool der = false;
  bool force = false;
};
CLI::App* add_new(CLI::App& app, NewOptions& o);
int run_new(const NewOptions& o);

struct ShowOptions {
  std::vector<std::string> files;
  bool json = false;
};
CLI::App* add_show(CLI::App& app, ShowOptions& o);
int run_show(const ShowOptions& o);

struct CheckOptions {
  std::string cert, key, connect, fqdn;
  std::vector<std::string> chain, trust;
  int warn_days = 30;
  double timeout = 5;
  bool no_cipher_scan = false;
  bool json = false;
};
CLI::App* add_check(CLI::App& app, CheckOptions& o);
int run_check(const CheckOptions& o);

struct ConvertOptions {
  std::string in, out, to;
  bool force = false;
};
CLI::App* add_convert(CLI::App& app, ConvertOptions& o);
int run_convert(const ConvertOptions& o);

struct CaOptions {
  std::string dir = "rcc-ca";
  // ca init
  std::string cn = "rcc-tools lab CA";
  std::string key_type = "ec:p256";
  int init_days = 3650;
  // ca sign
  std::string csr, out;
  int sign_days = 825;
  bool force = false;
};
struct CaCommands {
  CLI::App* ca;
  CLI::App* init;
  CLI::App* sign;
};
CaCommands add_ca(CLI::App& app, CaOptions& o);
int run_ca_init(const CaOptions& o);
int run_ca_sign(const CaOptions& o);

}  // namespace rcc::csr_tool
