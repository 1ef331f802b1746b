#include "output.h"

#include <iostream>

#include "diag/exit_code.h"

namespace rcc::csr_tool {

using nlohmann::json;

int usage_error(const Error& e) {
  return usage_error(e.message());
}

int usage_error(const std::string& message) {
  std::cout.flush();
  std::cerr << "rcc-csr: " << message << '\n';
  return exit_code::kUsage;
}

std::string dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string join_sans(const std::vector<pki::San>& sans) {
  std::string out;
  for (const auto& s : sans)
    out += (out.empty() ? "" : ", ") + s.type + ":" + s.value;
  return out;
}

std::string join_ekus(const std::vector<pki::Eku>& ekus) {
  std::string out;
  for (const auto& e : ekus)
    out += (out.empty() ? "" : ", ") + pki::eku_text(e);
  return out;
}

namespace {

json sans_json(const std::vector<pki::San>& sans) {
  json out = json::array();
  for (const auto& s : sans)
    out.push_back(json{{"type", s.type}, {"value", s.value}});
  return out;
}

json ekus_json(bool present, const std::vector<pki::Eku>& ekus) {
  if (!present) return nullptr;
  json out = json::array();
  for (const auto& e : ekus)
    out.push_back(json{{"oid", e.oid}, {"name", e.name}});
  return out;
}

json key_json(const pki::KeyDescription& k) {
  json j{{"algorithm", k.algorithm}, {"bits", k.bits}};
  j["curve"] = k.curve.empty() ? json(nullptr) : json(k.curve);
  return j;
}

void line(std::ostream& out, const char* label, const std::string& value) {
  out << "  " << label << ':' << std::string(14 - std::char_traits<char>::length(label), ' ')
      << value << '\n';
}

std::string list(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v)
    out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

json to_json(const pki::CertificateInfo& i) {
  json j{{"kind", "certificate"},
         {"version", i.version},
         {"subject", i.subject},
         {"common_name", i.common_name},
         {"issuer", i.issuer},
         {"serial", i.serial},
         {"not_before", i.not_before},
         {"not_after", i.not_after},
         {"subject_alt_names", sans_json(i.sans)},
         {"extended_key_usage", ekus_json(i.has_eku, i.ekus)},
         {"key_usage", i.key_usage},
         {"key", key_json(i.key)},
         {"public_key_sha256", i.public_key_sha256},
         {"signature_algorithm", i.signature_algorithm},
         {"sha1", i.sha1},
         {"sha256", i.sha256},
         {"self_issued", i.self_issued}};
  j["ca"] = i.ca ? json(*i.ca) : json(nullptr);
  return j;
}

json to_json(const pki::RequestInfo& i) {
  return json{{"kind", "certificate request"},
              {"subject", i.subject},
              {"common_name", i.common_name},
              {"subject_alt_names", sans_json(i.sans)},
              {"extended_key_usage", ekus_json(i.has_eku, i.ekus)},
              {"key_usage", i.key_usage},
              {"key", key_json(i.key)},
              {"public_key_sha256", i.public_key_sha256},
              {"signature_algorithm", i.signature_algorithm},
              {"signature_valid", i.signature_valid},
              {"sha256", i.sha256}};
}

json to_json(const pki::KeyInfo& i) {
  return json{{"kind", i.private_key ? "private key" : "public key"},
              {"key", key_json(i.key)},
              {"public_key_sha256", i.public_key_sha256}};
}

json to_json(const pki::Object& o) {
  json j;
  switch (o.kind) {
    case pki::Kind::certificate:
      j = to_json(pki::inspect(o.certificate.get()));
      j["from_pkcs7"] = o.from_pkcs7;
      break;
    case pki::Kind::request:
      j = to_json(pki::inspect(o.request.get()));
      break;
    case pki::Kind::private_key:
    case pki::Kind::public_key:
      j = to_json(pki::inspect(o.key.get(), o.kind == pki::Kind::private_key));
      break;
  }
  j["line"] = o.line > 0 ? json(o.line) : json(nullptr);
  return j;
}

void print(std::ostream& out, const pki::CertificateInfo& i) {
  line(out, "subject", i.subject);
  line(out, "issuer", i.issuer + (i.self_issued ? " (self-issued)" : ""));
  line(out, "serial", i.serial);
  line(out, "valid", i.not_before + " to " + i.not_after);
  line(out, "version", "X.509 v" + std::to_string(i.version));
  line(out, "key", i.key.text());
  line(out, "SAN", i.sans.empty() ? "(none)" : join_sans(i.sans));
  line(out, "EKU", i.has_eku ? join_ekus(i.ekus) : "(none)");
  line(out, "key usage", i.key_usage.empty() ? "(none)" : list(i.key_usage));
  line(out, "CA", i.ca ? (*i.ca ? "yes" : "no") : "(no basicConstraints)");
  line(out, "signature", i.signature_algorithm);
  line(out, "SHA-1", i.sha1);
  line(out, "SHA-256", i.sha256);
}

void print(std::ostream& out, const pki::RequestInfo& i) {
  line(out, "subject", i.subject);
  line(out, "key", i.key.text());
  line(out, "SAN", i.sans.empty() ? "(none)" : join_sans(i.sans));
  line(out, "EKU", i.has_eku ? join_ekus(i.ekus) : "(none)");
  line(out, "key usage", i.key_usage.empty() ? "(none)" : list(i.key_usage));
  line(out, "signature",
       i.signature_algorithm + (i.signature_valid ? " (verifies)" : " (DOES NOT VERIFY)"));
  line(out, "key SHA-256", i.public_key_sha256);
}

void print(std::ostream& out, const pki::KeyInfo& i) {
  line(out, "key", i.key.text());
  line(out, "key SHA-256", i.public_key_sha256);
}

void print(std::ostream& out, const pki::Object& o) {
  switch (o.kind) {
    case pki::Kind::certificate:
      print(out, pki::inspect(o.certificate.get()));
      break;
    case pki::Kind::request:
      print(out, pki::inspect(o.request.get()));
      break;
    case pki::Kind::private_key:
    case pki::Kind::public_key:
      print(out, pki::inspect(o.key.get(), o.kind == pki::Kind::private_key));
      break;
  }
}

}  // namespace rcc::csr_tool
