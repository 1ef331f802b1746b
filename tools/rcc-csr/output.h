#pragma once
// What several rcc-csr subcommands print: inspection results as text or JSON, and errors.

#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "diag/error.h"
#include "pki/decode.h"
#include "pki/inspect.h"

namespace rcc::csr_tool {

/// Prints "rcc-csr: <message>" on stderr and returns exit_code::kUsage.
int usage_error(const Error& e);
int usage_error(const std::string& message);

nlohmann::json to_json(const pki::CertificateInfo& info);
nlohmann::json to_json(const pki::RequestInfo& info);
nlohmann::json to_json(const pki::KeyInfo& info);
nlohmann::json to_json(const pki::Object& object);

/// Indented "label: value" lines.
void print(std::ostream& out, const pki::CertificateInfo& info);
void print(std::ostream& out, const pki::RequestInfo& info);
void print(std::ostream& out, const pki::KeyInfo& info);
void print(std::ostream& out, const pki::Object& object);

std::string join_sans(const std::vector<pki::San>& sans);
std::string join_ekus(const std::vector<pki::Eku>& ekus);

/// nlohmann::json::dump that replaces invalid UTF-8 instead of throwing.
std::string dump(const nlohmann::json& j);

}  // namespace rcc::csr_tool
