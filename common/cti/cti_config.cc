#include "cti/cti_config.h"

#include <filesystem>

#include "cti/pool.h"
#include "util/file.h"

namespace rcc::cti {

CtiConfig load_cti_config(const config::Document& doc) {
  config::Section s(doc, "cti");
  CtiConfig c;
  if (auto nodes = s.strings("nodes")) {
    if (nodes->size() > kMaxNodes) s.fail_key("nodes", "at most 8 nodes");
    for (const auto& n : *nodes) {
      auto a = parse_node_address(n);
      if (!a) s.fail_key("nodes", a.error().detail());
      c.nodes.push_back(*a);
    }
  }
  c.application_user = s.string("application-user").value_or("");
  if (auto pf = s.string("password-file")) {
    std::filesystem::path p(*pf);
    if (p.is_relative()) p = std::filesystem::path(doc.path()).parent_path() / p;
    auto text = util::read_file(p.string(), 4096);
    if (!text) s.fail_key("password-file", text.error().message());
    std::string pw = *text;
    while (!pw.empty() && (pw.back() == '\n' || pw.back() == '\r'))
      pw.pop_back();
    if (pw.empty()) s.fail_key("password-file", p.string() + " is empty");
    c.password = pw;
  }
  if (auto v = s.integer("heartbeat-interval", 1, 3600)) c.heartbeat_interval = Millis(*v * 1000);
  if (auto v = s.integer("connect-timeout", 1, 300)) c.connect_timeout = Millis(*v * 1000);
  if (auto v = s.integer("request-timeout", 1, 300)) c.request_timeout = Millis(*v * 1000);
  c.tls = s.boolean("tls").value_or(false);
  c.tls_ca_file = s.string("tls-ca-file").value_or("");
  c.tls_server_name = s.string("tls-server-name").value_or("");
  if (auto f = s.choice("framing", {"annex-j", "nul-terminated"}))
    c.framing = *f == "annex-j" ? Framing::annex_j : Framing::nul_terminated;
  c.length_includes_header = s.boolean("length-includes-header").value_or(true);
  if (auto v = s.integer("requests-per-second", 0, 100'000)) c.requests_per_second = double(*v);
  if (auto v = s.integer("max-in-flight", 1, 10'000)) c.max_in_flight = std::size_t(*v);
  s.reject_unknown_keys();
  return c;
}

LinkOptions CtiConfig::link_options(const NodeAddress& node) const {
  LinkOptions o;
  o.node = node;
  o.user = application_user;
  o.password = password;
  o.heartbeat_interval = heartbeat_interval;
  o.connect_timeout = connect_timeout;
  o.request_timeout = request_timeout;
  o.frame_limits.framing = framing;
  o.frame_limits.length_includes_header = length_includes_header;
  if (tls) {
    auto ctx = std::make_shared<net::ssl::context>(net::ssl::context::tls_client);
    ctx->set_verify_mode(net::ssl::verify_peer);
    boost::system::error_code ec;
    if (tls_ca_file.empty())
      ctx->set_default_verify_paths(ec);
    else
      ctx->load_verify_file(tls_ca_file, ec);
    if (ec)
      throw Exception(Error(rcc::Errc::file_unreadable,
                            "[cti] tls-ca-file " + tls_ca_file + ": " + ec.message()));
    o.tls = ctx;
    o.tls_server_name = tls_server_name;
  }
  return o;
}

}  // namespace rcc::cti
