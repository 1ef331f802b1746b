// CSTA codec rates (issue 4, Performance): typed decode and encode of a MakeCall request and of a
// DeliveredEvent (bodies from the examples of docs/protocol.md), beside a bare libxml2 parse of the
// same bytes into a tree. Goal: typed decode within 1.5x the bare parse.
#include <benchmark/benchmark.h>
#include <libxml/parser.h>

#include <string>

#include "csta/codec.h"
#include "ratio.h"

namespace {

const std::string kMakeCall =
    R"(<?xml version="1.0"?>)"
    R"(<MakeCall xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3">)"
    R"(<callingDevice>tel:73124;phone-context=dialstring;partition=P1</callingDevice>)"
    R"(<calledDirectoryNumber>tel:+3222220220</calledDirectoryNumber>)"
    R"(<autoOriginate>doNotPrompt</autoOriginate></MakeCall>)";

const std::string kDelivered = R"(<?xml version="1.0" encoding="UTF-8"?>
<DeliveredEvent xmlns="http://www.ecma-international.org/standards/ecma-323/csta/ed3">
  <monitorCrossRefID>99fda87c</monitorCrossRefID>
  <connection><callID>20</callID><deviceID>tel:73124;phone-context=dialstring</deviceID></connection>
  <alertingDevice><deviceIdentifier>tel:73124;phone-context=dialstring</deviceIdentifier></alertingDevice>
  <callingDevice><deviceIdentifier>tel:+14255550111</deviceIdentifier></callingDevice>
  <calledDevice><deviceIdentifier>tel:73124;phone-context=dialstring</deviceIdentifier></calledDevice>
  <lastRedirectionDevice><notKnown/></lastRedirectionDevice>
  <localConnectionInfo>alerting</localConnectionInfo>
  <cause>newCall</cause>
</DeliveredEvent>
)";

// The baseline: what any libxml2 user pays to get a tree (network off, as we run it).
void BM_Libxml2Parse(benchmark::State& state, const std::string& body) {
  xmlInitParser();
  for (auto _ : state) {
    xmlDoc* doc = xmlReadMemory(body.data(), int(body.size()), nullptr, nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
    if (doc == nullptr) state.SkipWithError("libxml2 refused the body");
    benchmark::DoNotOptimize(doc);
    xmlFreeDoc(doc);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}

// Our bounded reader alone (SAX hooks for DOCTYPE and depth, limits): the wrapper's cost.
void BM_CstaXmlParse(benchmark::State& state, const std::string& body) {
  for (auto _ : state) {
    auto doc = rcc::csta::parse_xml(body);
    if (!doc) state.SkipWithError("parse_xml refused the body");
    benchmark::DoNotOptimize(doc);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}

// Typed decode: parse, look up the message, fill the struct.
void BM_CstaDecode(benchmark::State& state, const std::string& body) {
  for (auto _ : state) {
    auto m = rcc::csta::decode(body);
    if (!m) state.SkipWithError("decode refused the body");
    benchmark::DoNotOptimize(m);
  }
  state.SetBytesProcessed(int64_t(state.iterations()) * int64_t(body.size()));
}

void BM_CstaEncode(benchmark::State& state, const std::string& body) {
  const auto m = rcc::csta::decode(body);
  if (!m) {
    state.SkipWithError("decode refused the body");
    return;
  }
  std::size_t bytes = 0;
  for (auto _ : state) {
    std::string out = rcc::csta::encode(*m);
    bytes += out.size();
    benchmark::DoNotOptimize(out);
  }
  state.SetBytesProcessed(int64_t(bytes));
}

BENCHMARK_CAPTURE(BM_Libxml2Parse, MakeCall, kMakeCall);
BENCHMARK_CAPTURE(BM_CstaXmlParse, MakeCall, kMakeCall);
BENCHMARK_CAPTURE(BM_CstaDecode, MakeCall, kMakeCall);
BENCHMARK_CAPTURE(BM_CstaEncode, MakeCall, kMakeCall);
BENCHMARK_CAPTURE(BM_Libxml2Parse, DeliveredEvent, kDelivered);
BENCHMARK_CAPTURE(BM_CstaXmlParse, DeliveredEvent, kDelivered);
BENCHMARK_CAPTURE(BM_CstaDecode, DeliveredEvent, kDelivered);
BENCHMARK_CAPTURE(BM_CstaEncode, DeliveredEvent, kDelivered);

const bool kRatios = [] {
  using rcc::bench::add_ratio;
  for (const char* body : {"MakeCall", "DeliveredEvent"}) {
    const std::string b = body;
    add_ratio({"CSTA typed decode / bare libxml2 tree (" + b + ")", "BM_CstaDecode/" + b,
               "BM_Libxml2Parse/" + b, 1.5});
    add_ratio({"CSTA bounded reader / bare libxml2 tree (" + b + ")", "BM_CstaXmlParse/" + b,
               "BM_Libxml2Parse/" + b, 0});
    add_ratio({"CSTA encode / bare libxml2 tree (" + b + ")", "BM_CstaEncode/" + b,
               "BM_Libxml2Parse/" + b, 0});
  }
  return true;
}();

}  // namespace
