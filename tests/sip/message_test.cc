// Message model and serializer: typed access, header editing, parse(serialize(m)) == m, and the
// example SIP messages of the uaCSTA notes (tests/data/sip/uacsta/) round-tripping byte for byte.
#include <catch2/catch.hpp>

#include <string>

#include "sip/headers.h"
#include "sip/message.h"
#include "sip/parser.h"
#include "sip/response.h"
#include "sip_test_util.h"

namespace sip = rcc::sip;
using sip::test::read_data;

TEST_CASE("sip message maps every compact form to its long name", "[sip][message]") {
  const std::pair<const char*, const char*> forms[] = {{"i", "Call-ID"},
                                                       {"m", "Contact"},
                                                       {"f", "From"},
                                                       {"t", "To"},
                                                       {"v", "Via"},
                                                       {"l", "Content-Length"},
                                                       {"c", "Content-Type"},
                                                       {"e", "Content-Encoding"},
                                                       {"k", "Supported"},
                                                       {"s", "Subject"},
                                                       {"x", "Session-Expires"},
                                                       {"o", "Event"},
                                                       {"r", "Refer-To"},
                                                       {"b", "Referred-By"},
                                                       {"u", "Allow-Events"},
                                                       {"I", "Call-ID"},
                                                       {"cSEQ", "CSeq"},
                                                       {"min-se", "Min-SE"},
                                                       {"call-id", "Call-ID"}};
  for (const auto& [compact, name] : forms) {
    INFO(compact);
    CHECK(sip::canonical_header_name(compact) == name);
  }
  CHECK(sip::canonical_header_name("X-Unknown").empty());
  CHECK(sip::canonical_header_name("z").empty());
}

TEST_CASE("sip message splits list headers into values across lines", "[sip][message]") {
  sip::Message m;
  m.method = "OPTIONS";
  m.add("Allow", "INVITE, ACK ,BYE");
  m.add("allow", "INFO");
  m.add("Subject", "a, b");
  CHECK(m.values("Allow") == std::vector<std::string>{"INVITE", "ACK", "BYE", "INFO"});
  CHECK(m.values("Subject") == std::vector<std::string>{"a, b"});
  CHECK(m.count("ALLOW") == 2);
  m.set("Allow", "UPDATE");
  CHECK(m.values("Allow") == std::vector<std::string>{"UPDATE"});
  m.remove("allow");
  CHECK(m.header("Allow") == nullptr);
}

TEST_CASE("sip typed headers read Via, name-addr lists and session timer values",
          "[sip][message]") {
  auto vias = sip::parse_via_list(
      "SIP/2.0/TLS 192.0.2.1:5061;branch=z9hG4bKa;received=10.0.0.1, SIP/2.0/tcp [::1];rport");
  REQUIRE(vias);
  REQUIRE(vias->size() == 2);
  CHECK((*vias)[0].port == 5061);
  CHECK((*vias)[0].branch() == "z9hG4bKa");
  CHECK((*vias)[1].transport == "TCP");
  CHECK((*vias)[1].host == "[::1]");
  CHECK_FALSE((*vias)[1].port);
  CHECK(sip::parse_via_list((*vias)[0].to_string())->at(0) == (*vias)[0]);

  auto rr = sip::parse_name_addr_list("<sip:p1.example.com;lr>, \"P 2\" <sip:p2.example.com;lr>");
  REQUIRE(rr);
  REQUIRE(rr->size() == 2);
  CHECK((*rr)[1].display_name == "P 2");
  CHECK(sip::parse_name_addr((*rr)[1].to_string()).value() == (*rr)[1]);

  auto se = sip::parse_session_expires("1800 ; refresher = UAS");
  REQUIRE(se);
  CHECK(se->seconds == 1800);
  CHECK(se->refresher == "uas");
  CHECK_FALSE(sip::parse_session_expires("4294967296"));

  auto ct = sip::parse_media_type("Application/CSTA+XML; charset=\"utf-8\"");
  REQUIRE(ct);
  CHECK(ct->is("application", "csta+xml"));
  CHECK(sip::find_param(ct->params, "CHARSET")->value == "utf-8");

  auto cd = sip::parse_disposition("signal;handling=required");
  REQUIRE(cd);
  CHECK(cd->type == "signal");
  CHECK(sip::find_param(cd->params, "handling")->value == "required");
}

TEST_CASE("sip serializer output parses back to the same message", "[sip][message]") {
  sip::Message m;
  m.method = "INFO";
  m.request_uri = "sip:alice@example.com;transport=tls";
  m.add("Via", "SIP/2.0/TLS gw.example.com:5061;branch=z9hG4bK1");
  m.add("Max-Forwards", "70");
  m.add("From", "<sip:gw@example.com>;tag=a");
  m.add("To", "<sip:alice@example.com>;tag=b");
  m.add("Call-ID", "c1");
  m.add("CSeq", "7 INFO");
  m.add("X-Folded", "kept as one line");
  m.set_body("<x/>", "application/csta+xml");
  const auto bytes = sip::serialize(m);
  auto back = sip::parse(bytes);
  REQUIRE(back);
  CHECK(*back == m);
  CHECK(sip::test::grind(bytes, sip::Framing::stream) == std::string::npos);
  CHECK(*back->content_length() == 4);

  auto r = sip::make_response(m, 200, "zz");
  CHECK(r.to()->tag() == "b");  // an existing tag stays
  auto again = sip::parse(sip::serialize(r));
  REQUIRE(again);
  CHECK(*again == r);
}

TEST_CASE("sip uaCSTA example messages round-trip byte for byte", "[sip][message][uacsta]") {
  for (const char* name :
       {"invite_request_system_status", "ok_request_system_status", "ack", "info_make_call",
        "ok_make_call", "info_delivered_event", "update_refresh", "bye"}) {
    INFO(name);
    const auto bytes = read_data(std::string("uacsta/") + name + ".sip");
    REQUIRE_FALSE(bytes.empty());
    auto m = sip::parse(bytes);
    REQUIRE(m);
    CHECK(sip::serialize(*m) == bytes);
    CHECK(sip::test::grind(bytes, sip::Framing::stream) == std::string::npos);
    if (m->is_request() && m->method != "ACK") {
      CHECK(m->content_length() == m->body.size());
    }
  }
  auto invite = sip::parse(read_data("uacsta/invite_request_system_status.sip"));
  REQUIRE(invite);
  CHECK(invite->content_type()->is("application", "csta+xml"));
  CHECK(invite->content_disposition()->type == "signal");
  CHECK(invite->session_expires()->seconds == 1800);
  CHECK(invite->min_se() == 90u);
  CHECK(invite->record_routes()->at(0).uri.find("ms-route-sig") != std::string::npos);
  CHECK(invite->vias()->size() == 2);
  CHECK(invite->from()->tag() == "8a9c2e1f");
  CHECK(invite->to()->tag().empty());
}
