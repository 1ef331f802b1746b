#pragma once
// Helpers for the CSTA tests: the example messages of the protocol notes (tests/data/csta).

#include <cstdlib>
#include <string>
#include <vector>

#include "util/file.h"

namespace rcc::csta::test {

struct Example {
  std::string path;  ///< under tests/data/csta
  bool canonical;    ///< our encoder writes exactly the example once whitespace between tags goes
};

/// Every example message of docs/protocol.md, as written in tests/data/csta.
inline const std::vector<Example>& examples() {
  static const std::vector<Example> list = {
      {"uacsta/request_system_status.xml", true},
      {"uacsta/request_system_status_response.xml", true},
      {"uacsta/get_csta_features.xml", true},
      {"uacsta/get_csta_features_response.xml", true},
      {"uacsta/monitor_start.xml", true},
      {"uacsta/monitor_start_response.xml", true},
      {"uacsta/monitor_stop.xml", true},
      {"uacsta/monitor_stop_response.xml", true},
      {"uacsta/snapshot_device.xml", true},
      {"uacsta/snapshot_device_response.xml", true},
      {"uacsta/make_call.xml", true},
      {"uacsta/make_call_response.xml", true},
      {"uacsta/answer_call.xml", true},
      {"uacsta/answer_call_response.xml", true},
      {"uacsta/clear_connection.xml", true},
      {"uacsta/clear_connection_response.xml", true},
      {"uacsta/hold_call.xml", true},
      {"uacsta/hold_call_response.xml", true},
      {"uacsta/retrieve_call.xml", true},
      {"uacsta/retrieve_call_response.xml", true},
      {"uacsta/consultation_call.xml", true},
      {"uacsta/consultation_call_response.xml", true},
      {"uacsta/transfer_call.xml", true},
      {"uacsta/transfer_call_response.xml", true},
      {"uacsta/single_step_transfer_call.xml", true},
      {"uacsta/single_step_transfer_call_response.xml", true},
      {"uacsta/deflect_call.xml", true},
      {"uacsta/deflect_call_response.xml", true},
      {"uacsta/conference_call.xml", true},
      {"uacsta/conference_call_response.xml", true},
      {"uacsta/generate_digits.xml", true},
      {"uacsta/generate_digits_response.xml", true},
      {"uacsta/set_forwarding.xml", true},
      {"uacsta/set_forwarding_response.xml", true},
      {"uacsta/get_forwarding.xml", true},
      {"uacsta/get_forwarding_response.xml", true},
      {"uacsta/set_do_not_disturb.xml", true},
      {"uacsta/set_do_not_disturb_response.xml", true},
      {"uacsta/get_do_not_disturb.xml", true},
      {"uacsta/get_do_not_disturb_response.xml", true},
      {"uacsta/delivered_event.xml", true},
      {"uacsta/csta_error_code.xml", true},
      // The Avaya login spreads its attributes over two lines: equal after decode only.
      {"csta_tcp/start_application_session.xml", false},
      {"csta_tcp/start_application_session_pos_response.xml", true},
      {"csta_tcp/start_application_session_neg_response.xml", true},
      {"csta_tcp/reset_application_session_timer.xml", true},
      {"csta_tcp/reset_application_session_timer_pos_response.xml", true},
      // typeOfNumber/mediaClass attributes are not kept: equal after decode only.
      {"csta_tcp/monitor_start.xml", false},
      {"csta_tcp/monitor_start_response.xml", true},
      {"csta_tcp/delivered_event.xml", true},
      {"csta_tcp/snapshot_device_response.xml", true},
      {"csta_tcp/csta_error_code.xml", true},
  };
  return list;
}

inline std::string data_path(const std::string& rel) {
  const char* dir = std::getenv("RCC_TEST_DATA");
  return std::string(dir != nullptr ? dir : "tests/data") + "/csta/" + rel;
}

inline std::string read_example(const std::string& rel) {
  auto text = util::read_file(data_path(rel));
  return text ? *text : std::string();
}

/// The example as our encoder writes it: no XML declaration, no whitespace between tags, no
/// trailing line end.
inline std::string compact(const std::string& xml) {
  std::string s = xml;
  if (s.rfind("<?xml", 0) == 0) s.erase(0, s.find("?>") + 2);
  std::string out;
  const auto space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  for (std::size_t i = 0; i < s.size();) {
    if (!space(s[i])) {
      out += s[i++];
      continue;
    }
    std::size_t j = i;
    while (j < s.size() && space(s[j]))
      ++j;
    const bool after_tag = out.empty() || out.back() == '>';
    const bool before_tag = j == s.size() || s[j] == '<';
    if (!(after_tag && before_tag)) out.append(s, i, j - i);
    i = j;
  }
  return out;
}

/// Trailing whitespace removed (so that every strict prefix is an incomplete document).
inline std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r'))
    s.pop_back();
  return s;
}

}  // namespace rcc::csta::test
