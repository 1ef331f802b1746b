// SIP parse and serialize rates for the two typical uaCSTA INFOs (a MakeCall request and a
// DeliveredEvent), beside, on the same bytes and in the same run:
//   memchr  - a bare scan for the CRLFCRLF header/body boundary: the ceiling of any parser;
//   osip    - GNU oSIP's osip_message_parse (libosip2);
//   sofia   - Sofia-SIP's msg_make with the default SIP message class.
// Names follow "<operation>/<message>/<implementation>"; codec_bench_main.cc prints messages per
// second and the ratios of "rcc" against the others after the run.
#include <benchmark/benchmark.h>

#include <cstring>
#include <string>

#include <osipparser2/osip_message.h>
#include <osipparser2/osip_parser.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip_header.h>

#include "bench_data.h"
#include "ratio.h"
#include "sip/message.h"
#include "sip/parser.h"

namespace {

const std::string& fixture(int which) {
  static const std::string make_call = rcc::bench::read_fixture("sip/uacsta/info_make_call.sip");
  static const std::string delivered =
      rcc::bench::read_fixture("sip/uacsta/info_delivered_event.sip");
  return which == 0 ? make_call : delivered;
}

void parse_rcc(benchmark::State& state, int which) {
  const std::string& bytes = fixture(which);
  for (auto _ : state) {
    rcc::sip::Parser p(rcc::sip::Framing::stream);
    auto used = p.feed(bytes);
    if (!used || !p.done()) state.SkipWithError("rcc parse failed");
    auto m = p.take();
    benchmark::DoNotOptimize(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * std::int64_t(bytes.size()));
}

void parse_memchr(benchmark::State& state, int which) {
  const std::string& bytes = fixture(which);
  for (auto _ : state) {
    // Find "\r\n\r\n" the way a minimal framer would: memchr for '\n', then look back.
    const char* p = bytes.data();
    const char* end = p + bytes.size();
    const char* found = nullptr;
    while (const void* nl = std::memchr(p, '\n', std::size_t(end - p))) {
      const char* c = static_cast<const char*>(nl);
      if (c - bytes.data() >= 3 && c[-1] == '\r' && c[-2] == '\n' && c[-3] == '\r') {
        found = c + 1;
        break;
      }
      p = c + 1;
    }
    benchmark::DoNotOptimize(found);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * std::int64_t(bytes.size()));
}

void parse_osip(benchmark::State& state, int which) {
  static const int init = parser_init();
  benchmark::DoNotOptimize(init);
  const std::string& bytes = fixture(which);
  for (auto _ : state) {
    osip_message_t* m = nullptr;
    osip_message_init(&m);
    if (osip_message_parse(m, bytes.data(), bytes.size()) != 0)
      state.SkipWithError("osip parse failed");
    benchmark::DoNotOptimize(m);
    osip_message_free(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * std::int64_t(bytes.size()));
}

void parse_sofia(benchmark::State& state, int which) {
  const std::string& bytes = fixture(which);
  for (auto _ : state) {
    msg_t* m = msg_make(sip_default_mclass(), 0, bytes.data(), isize_t(bytes.size()));
    if (!m || !sip_object(m) || sip_object(m)->sip_error) state.SkipWithError("sofia parse failed");
    benchmark::DoNotOptimize(m);
    msg_destroy(m);
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * std::int64_t(bytes.size()));
}

void serialize_rcc(benchmark::State& state, int which) {
  const std::string& bytes = fixture(which);
  const auto m = rcc::sip::parse(bytes);
  if (!m) {
    state.SkipWithError("fixture does not parse");
    return;
  }
  std::string out;
  for (auto _ : state) {
    out.clear();
    rcc::sip::serialize_to(*m, out);
    benchmark::DoNotOptimize(out.data());
  }
  if (out != bytes) state.SkipWithError("serialization differs from the fixture");
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * std::int64_t(bytes.size()));
}

void serialize_osip(benchmark::State& state, int which) {
  static const int init = parser_init();
  benchmark::DoNotOptimize(init);
  const std::string& bytes = fixture(which);
  osip_message_t* m = nullptr;
  osip_message_init(&m);
  osip_message_parse(m, bytes.data(), bytes.size());
  for (auto _ : state) {
    osip_message_force_update(m);  // otherwise oSIP hands back its cached copy
    char* out = nullptr;
    size_t len = 0;
    osip_message_to_str(m, &out, &len);
    benchmark::DoNotOptimize(out);
    osip_free(out);
  }
  osip_message_free(m);
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * std::int64_t(bytes.size()));
}

}  // namespace

BENCHMARK_CAPTURE(parse_memchr, info_make_call, 0)->Name("sip_parse/info_make_call/memchr");
BENCHMARK_CAPTURE(parse_rcc, info_make_call, 0)->Name("sip_parse/info_make_call/rcc");
BENCHMARK_CAPTURE(parse_osip, info_make_call, 0)->Name("sip_parse/info_make_call/osip");
BENCHMARK_CAPTURE(parse_sofia, info_make_call, 0)->Name("sip_parse/info_make_call/sofia");
BENCHMARK_CAPTURE(parse_memchr, info_delivered, 1)->Name("sip_parse/info_delivered_event/memchr");
BENCHMARK_CAPTURE(parse_rcc, info_delivered, 1)->Name("sip_parse/info_delivered_event/rcc");
BENCHMARK_CAPTURE(parse_osip, info_delivered, 1)->Name("sip_parse/info_delivered_event/osip");
BENCHMARK_CAPTURE(parse_sofia, info_delivered, 1)->Name("sip_parse/info_delivered_event/sofia");
BENCHMARK_CAPTURE(serialize_rcc, info_make_call, 0)->Name("sip_serialize/info_make_call/rcc");
BENCHMARK_CAPTURE(serialize_osip, info_make_call, 0)->Name("sip_serialize/info_make_call/osip");
BENCHMARK_CAPTURE(serialize_rcc, info_delivered, 1)->Name("sip_serialize/info_delivered_event/rcc");
BENCHMARK_CAPTURE(serialize_osip, info_delivered, 1)
    ->Name("sip_serialize/info_delivered_event/osip");

// Ratios printed after the table (main.cc): time per message of ours over the peer's, so below
// 1 means ours is faster; over the memchr ceiling it says how close the parser comes.
static const bool kSipRatios = [] {
  for (const std::string message : {"info_make_call", "info_delivered_event"}) {
    const std::string parse = "sip_parse/" + message + "/",
                      serialize = "sip_serialize/" + message + "/";
    rcc::bench::add_ratio(
        {"SIP parse rcc / oSIP (" + message + ")", parse + "rcc", parse + "osip", 1.0});
    rcc::bench::add_ratio(
        {"SIP parse rcc / Sofia-SIP (" + message + ")", parse + "rcc", parse + "sofia", 1.0});
    rcc::bench::add_ratio(
        {"SIP parse rcc / memchr ceiling (" + message + ")", parse + "rcc", parse + "memchr", 0});
    rcc::bench::add_ratio(
        {"SIP serialize rcc / oSIP (" + message + ")", serialize + "rcc", serialize + "osip", 1.0});
  }
  return true;
}();
