// Fuzzes the gateway's session logic without sockets (tests/rcc/gateway_harness.h): the input is
// a script of records separated by NUL bytes, each a SIP message from the OCS side (parsed, then
// given to the dialog layer) or a CTI action ("!down N", "!up N", "!call FROM TO"). "@TAG@" in a
// message becomes the To tag of the last dialog the gateway created, so that in-dialog requests
// reach it. The gateway answers, routes events and fails over across two in-process nodes; no
// input may crash it, leak, or leave a request unanswered past the end of the script.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "directory/directory.h"
#include "rcc/gateway_harness.h"
#include "sip/parser.h"
#include "util/log.h"

namespace {

const rcc::directory::FileDirectory& fuzz_directory() {
  static const auto dir = [] {
    auto d = rcc::directory::parse_directory(
        "[[device]]\nname = \"SEPA\"\nmodel = \"Cisco 7975\"\nregistered = true\n"
        "lines = [{ dn = \"5001\" }]\n"
        "[[device]]\nname = \"SEPB\"\nmodel = \"Cisco IP Communicator\"\nregistered = true\n"
        "lines = [{ dn = \"5002\" }]\n"
        "[[device]]\nname = \"SEPC\"\nmodel = \"Cisco 7942\"\nregistered = true\n"
        "lines = [{ dn = \"5002\" }]\n"
        "[[user]]\nid = \"alice\"\nrcc-enabled = true\n"
        "line-uri = \"tel:5001;phone-context=dialstring\"\ndevices = [\"SEPA\"]\n"
        "[[user]]\nid = \"bob\"\nrcc-enabled = true\n"
        "line-uri = \"tel:5002;phone-context=dialstring\"\ndevices = [\"SEPB\", \"SEPC\"]\n",
        "fuzz.toml");
    if (!d) std::abort();
    return std::move(*d);
  }();
  return dir;
}

void replace_all(std::string& s, std::string_view from, const std::string& to) {
  for (auto at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rcc;
  static const bool quiet = [] {
    util::logger("gateway")->set_level(spdlog::level::off);
    util::logger("sip")->set_level(spdlog::level::off);
    return true;
  }();
  (void)quiet;
  gateway::test::Harness h(fuzz_directory(), 2);
  std::string to_tag = "none";
  std::string_view input(reinterpret_cast<const char*>(data), size);
  int records = 0;
  while (!input.empty() && records++ < 64) {
    const auto end = input.find('\0');
    std::string record(input.substr(0, end));
    input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    if (record.rfind("!down ", 0) == 0 || record.rfind("!up ", 0) == 0) {
      const bool up = record[1] == 'u';
      const std::size_t node = record.back() == '1' ? 1 : 0;
      if (h.cti.up(node) != up) h.cti.set_up(node, up);
    } else if (record.rfind("!call ", 0) == 0) {
      const auto space = record.find(' ', 6);
      if (space == std::string::npos) continue;
      const std::string from = record.substr(6, space - 6), to = record.substr(space + 1);
      h.cti.script(0, [&](ctisim::World& w, std::vector<ctisim::Out>& out) {
        (void)w.incoming_call(from, to, out);
      });
    } else {
      replace_all(record, "@TAG@", to_tag);
      auto m = sip::parse(record);
      if (!m || !m->is_request()) continue;
      const std::size_t before = h.out.sent.size();
      h.layer.receive(1, *m);
      for (std::size_t i = before; i < h.out.sent.size(); ++i) {
        const auto& r = h.out.sent[i].message;
        if (r.status == 200 && r.cseq() && r.cseq()->method == "INVITE" && r.to())
          to_tag = std::string(r.to()->tag());
      }
    }
    h.cti.drain();
    h.answer_events();
  }
  // Every request the gateway was asked about has been answered by now (the CTI side replied).
  if (h.layer.transaction_count() > 64) std::abort();
  return 0;
}
