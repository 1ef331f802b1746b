#pragma once
// ECMA-354 application-session messages for the CTI link (docs/protocol.md). They live in their own
// namespace (kApplicationSessionNamespace) whatever CSTA edition the session negotiates; the
// codec reads and writes them with the same machinery as CSTA messages.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "csta/types.h"

namespace rcc::csta {

/// Credentials in applicationInfo/applicationSpecificInfo. ECMA-354 leaves the content to the
/// vendor: Avaya's <acx:SessionLoginInfo> (userName, password, sessionCleanupDelay, sessionID) or
/// the neutral <userName/><password/> pair (docs/protocol.md); `avaya` says which one.
struct SessionLogin {
  bool avaya = true;
  std::string user_name;
  std::string password;
  std::optional<unsigned> session_cleanup_delay;  ///< Avaya form only
  std::optional<std::string> session_id;          ///< Avaya form only: resume an old session
};

/// A choice element's chosen child and its text, e.g. <definedError>invalidApplicationInfo</..>
/// or <appEndReason>bye</appEndReason>.
struct Choice {
  std::string name;
  std::string value;
};

struct StartApplicationSession {
  static constexpr std::string_view kElement = "StartApplicationSession";
  std::string application_id;
  std::optional<SessionLogin> login;
  std::vector<std::string> protocol_versions;          ///< CSTA namespace URIs, preferred first
  std::optional<unsigned> requested_session_duration;  ///< seconds
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.group("applicationInfo", Req::required, [&](auto& w) {
      w("applicationID", s.application_id);
      w.login(s.login);
    });
    v.text_list("requestedProtocolVersions", "protocolVersion", s.protocol_versions);
    v("requestedSessionDuration", s.requested_session_duration);
  }
};
struct StartApplicationSessionPosResponse {
  static constexpr std::string_view kElement = "StartApplicationSessionPosResponse";
  std::string session_id;
  std::string actual_protocol_version;
  std::optional<unsigned> actual_session_duration;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("sessionID", s.session_id);
    v("actualProtocolVersion", s.actual_protocol_version);
    v("actualSessionDuration", s.actual_session_duration);
  }
};
/// error_code: definedError (invalidApplicationInfo = bad credentials,
/// requestedProtocolVersionNotSupported) or a vendor's nonStandardError.
struct StartApplicationSessionNegResponse {
  static constexpr std::string_view kElement = "StartApplicationSessionNegResponse";
  Choice error_code{"definedError", "invalidApplicationInfo"};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.group("errorCode", Req::required,
            [&](auto& w) { w.choice_text(s.error_code.name, s.error_code.value); });
  }
};

/// The heartbeat (docs/protocol.md).
struct ResetApplicationSessionTimer {
  static constexpr std::string_view kElement = "ResetApplicationSessionTimer";
  std::string session_id;
  std::optional<unsigned> requested_session_duration;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("sessionID", s.session_id);
    v("requestedSessionDuration", s.requested_session_duration);
  }
};
struct ResetApplicationSessionTimerPosResponse {
  static constexpr std::string_view kElement = "ResetApplicationSessionTimerPosResponse";
  std::optional<unsigned> actual_session_duration;
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("actualSessionDuration", s.actual_session_duration);
  }
};
struct ResetApplicationSessionTimerNegResponse {
  static constexpr std::string_view kElement = "ResetApplicationSessionTimerNegResponse";
  Choice error_code{"definedError", "invalidSessionID"};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.group("errorCode", Req::required,
            [&](auto& w) { w.choice_text(s.error_code.name, s.error_code.value); });
  }
};

/// end_reason: definedEndReason (normal) or appEndReason (free text).
struct StopApplicationSession {
  static constexpr std::string_view kElement = "StopApplicationSession";
  std::string session_id;
  Choice end_reason{"definedEndReason", "normal"};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("sessionID", s.session_id);
    v.group("sessionEndReason", Req::required,
            [&](auto& w) { w.choice_text(s.end_reason.name, s.end_reason.value); });
  }
};
struct StopApplicationSessionPosResponse {
  static constexpr std::string_view kElement = "StopApplicationSessionPosResponse";
  template <class S, class V>
  static void fields(S&, V&) {}
};
struct StopApplicationSessionNegResponse {
  static constexpr std::string_view kElement = "StopApplicationSessionNegResponse";
  Choice error_code{"definedError", "invalidSessionID"};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v.group("errorCode", Req::required,
            [&](auto& w) { w.choice_text(s.error_code.name, s.error_code.value); });
  }
};

/// Server -> client: the session is over (timer expired, shutdown). Child names are not verified
/// against ECMA-354 (docs/protocol.md): the decoder takes any choice child.
struct ApplicationSessionTerminated {
  static constexpr std::string_view kElement = "ApplicationSessionTerminated";
  std::string session_id;
  Choice term_reason{"definedTermReason", "timerExpired"};
  template <class S, class V>
  static void fields(S& s, V& v) {
    v("sessionID", s.session_id);
    v.group("sessionTermReason", Req::required,
            [&](auto& w) { w.choice_text(s.term_reason.name, s.term_reason.value); });
  }
};

/// Application-session messages are written in kApplicationSessionNamespace, never in a CSTA
/// edition's namespace.
template <class T>
inline constexpr bool is_session_message_v = false;
template <>
inline constexpr bool is_session_message_v<StartApplicationSession> = true;
template <>
inline constexpr bool is_session_message_v<StartApplicationSessionPosResponse> = true;
template <>
inline constexpr bool is_session_message_v<StartApplicationSessionNegResponse> = true;
template <>
inline constexpr bool is_session_message_v<ResetApplicationSessionTimer> = true;
template <>
inline constexpr bool is_session_message_v<ResetApplicationSessionTimerPosResponse> = true;
template <>
inline constexpr bool is_session_message_v<ResetApplicationSessionTimerNegResponse> = true;
template <>
inline constexpr bool is_session_message_v<StopApplicationSession> = true;
template <>
inline constexpr bool is_session_message_v<StopApplicationSessionPosResponse> = true;
template <>
inline constexpr bool is_session_message_v<StopApplicationSessionNegResponse> = true;
template <>
inline constexpr bool is_session_message_v<ApplicationSessionTerminated> = true;

}  // namespace rcc::csta
