#pragma once
// Building responses (RFC 3261 §8.2.6): the headers a response copies from its request, and
// the answer to a request that could not be parsed.

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "sip/message.h"

namespace rcc::sip {

/// A response to `request`: Via (all, in order), From, To, Call-ID and CSeq copied; a To tag
/// added when `to_tag` is non-empty and To has none; Content-Length 0.
Message make_response(const Message& request, int status, std::string_view to_tag = {},
                      std::string_view reason = {});

/// The response to send for bytes the parser refused with `error`, when one should be sent:
/// the bytes start with a Request-Line (responses are never answered), response_status(error)
/// is non-zero, and Via, From, To, Call-ID and CSeq can be found in the header lines as
/// written (RFC 3261 §8.2.6.1 needs them to route the answer). Otherwise nullopt: drop the
/// message and, on a stream, close the connection since its framing is lost.
std::optional<Message> error_response(std::string_view bytes, std::error_code error,
                                      std::string_view to_tag = "rcc-err");

/// A fresh random token of `n` hex digits, for tags and branch suffixes.
std::string random_token(std::size_t n = 16);

}  // namespace rcc::sip
