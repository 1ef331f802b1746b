// Telling requests, responses and events apart by name (csta/message_kind.h), as the CTI link
// does on NUL-terminated frames.

#include "csta/message_kind.h"

#include <catch2/catch.hpp>

using namespace rcc;
using csta::MessageKind;

TEST_CASE("csta message kinds follow ECMA-323 and ECMA-354 names", "[csta][kind]") {
  struct Row {
    const char* name;
    MessageKind kind;
  };
  const Row rows[] = {
      {"MakeCall", MessageKind::request},
      {"SystemStatus", MessageKind::request},
      {"ResetApplicationSessionTimer", MessageKind::request},
      {"MakeCallResponse", MessageKind::response},
      {"StartApplicationSessionNegResponse", MessageKind::response},
      {"CSTAErrorCode", MessageKind::response},
      {"DeliveredEvent", MessageKind::event},
      {"TransferredEvent", MessageKind::event},
      {"VendorFancyEvent", MessageKind::event},
      {"ApplicationSessionTerminated", MessageKind::event},
      {"", MessageKind::request},
  };
  for (const auto& r : rows) {
    INFO(r.name);
    CHECK(csta::message_kind(r.name) == r.kind);
  }
}

TEST_CASE("csta a response answers only its own request, or any as CSTAErrorCode", "[csta][kind]") {
  CHECK(csta::can_answer("MakeCall", "MakeCallResponse"));
  CHECK(csta::can_answer("MakeCall", "CSTAErrorCode"));
  CHECK(csta::can_answer("StartApplicationSession", "StartApplicationSessionPosResponse"));
  CHECK(csta::can_answer("StartApplicationSession", "StartApplicationSessionNegResponse"));
  CHECK(
      csta::can_answer("ResetApplicationSessionTimer", "ResetApplicationSessionTimerPosResponse"));
  CHECK_FALSE(csta::can_answer("MakeCall", "MonitorStartResponse"));
  CHECK_FALSE(csta::can_answer("MakeCall", "MakeCall"));
  CHECK_FALSE(csta::can_answer("MakeCall", "MakeCallResponseX"));
  CHECK_FALSE(csta::can_answer("Hold", "HoldCallResponse"));  // a prefix is not enough
  CHECK_FALSE(csta::can_answer("MakeCall", "DeliveredEvent"));
}

TEST_CASE("csta root element name reads a document the codec does not model", "[csta][kind]") {
  auto r =
      csta::root_element_name("<v:VendorFancyEvent xmlns:v=\"urn:x\"><a/></v:VendorFancyEvent>");
  REQUIRE(r);
  CHECK(*r == "VendorFancyEvent");
  auto bad = csta::root_element_name("<<<not xml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == csta::Errc::malformed_xml);
}
