#include "rcc/gateway_config.h"

#include <filesystem>

namespace rcc::gateway {
namespace {

std::string relative_to(const config::Document& doc, const std::string& path) {
  std::filesystem::path p(path);
  if (p.is_relative()) p = std::filesystem::path(doc.path()).parent_path() / p;
  return p.string();
}

}  // namespace

GatewayConfig load_gateway_config(const config::Document& doc) {
  GatewayConfig c;
  c.source = doc.path();
  config::Section s(doc, "gateway");
  if (auto v = s.string("listen-tcp")) c.listen_tcp = *v;
  if (auto v = s.string("listen-tls")) c.listen_tls = *v;
  if (auto v = s.string("host")) c.host = *v;
  if (auto v = s.string("proxy-domain")) c.proxy_domain = *v;
  if (auto v = s.string("rcc-uri-user")) c.rcc_uri_user = *v;
  if (auto v = s.strings("acl")) c.acl = *v;
  if (auto v = s.string("tls-certificate")) c.tls.cert_file = relative_to(doc, *v);
  if (auto v = s.string("tls-key")) c.tls.key_file = relative_to(doc, *v);
  if (auto v = s.string("tls-trust")) c.tls.ca_file = relative_to(doc, *v);
  if (auto v = s.strings("tls-peer-subjects")) c.tls_peer_subjects = *v;
  if (auto v = s.choice("tls-min-version", {"1.2", "1.3"})) c.tls.min_tls13 = *v == "1.3";
  c.tls.legacy_tls10_3des = s.boolean("tls-legacy-tls10-3des").value_or(false);
  if (auto v = s.choice("server-type", {"ocs", "lcs"}))
    c.mode = *v == "lcs" ? ServerMode::lcs : ServerMode::ocs;
  if (auto v = s.choice("failover", {"transparent", "reinvite"}))
    c.failover = *v == "reinvite" ? Failover::reinvite : Failover::transparent;
  if (auto v = s.integer("session-timer", 90, 86'400)) c.session_timer = std::uint32_t(*v);
  if (auto v = s.integer("retry-after", 1, 3600)) c.retry_after = std::uint32_t(*v);
  if (auto v = s.integer("max-connections", 1, 1'000'000)) c.max_connections = std::size_t(*v);
  if (auto v = s.integer("max-sessions", 1, 10'000'000)) c.max_sessions = std::size_t(*v);
  if (auto v = s.integer("max-queued-events", 1, 100'000)) c.max_queued_events = std::size_t(*v);
  if (auto v = s.integer("max-cti-backlog", 0, 1'000'000)) c.max_cti_backlog = std::size_t(*v);
  if (auto v = s.integer("message-timeout", 1, 300)) c.message_timeout = std::uint32_t(*v);
  if (auto v = s.integer("idle-timeout", 1, 86'400 + 120)) c.idle_timeout = std::uint32_t(*v);
  if (auto v = s.string("metrics-listen")) {
    c.metrics_listen = *v;
    c.metrics_listen_set = true;
  }
  if (auto v = s.string("outbound-rules")) c.outbound_rules = relative_to(doc, *v);
  if (auto v = s.string("inbound-rules")) c.inbound_rules = relative_to(doc, *v);
  if (!c.listen_tls.empty() && (c.tls.cert_file.empty() || c.tls.key_file.empty()))
    s.fail_key("listen-tls", "a TLS listener needs tls-certificate and tls-key");
  if (!c.listen_tls.empty() && c.tls.ca_file.empty())
    s.fail_key("listen-tls",
               "a TLS listener needs tls-trust: the CA certificates the OCS/Lync side's "
               "certificates chain to (peers are always verified)");
  if (c.listen_tcp.empty() && c.listen_tls.empty())
    s.fail_key("listen-tcp", "no listener: give listen-tcp, listen-tls or both");
  s.reject_unknown_keys();

  c.directory = directory::load_directory_config(doc);
  c.directory_file = c.directory.file;
  return c;
}

}  // namespace rcc::gateway
