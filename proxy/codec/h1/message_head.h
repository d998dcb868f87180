// The parsed head of an HTTP/1.x request or response, as spans into the
// connection's read buffer (nothing is copied while parsing).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "proxy/http/header_kind.h"
#include "proxy/http/header_list.h"

namespace sluice {

// worker-confined. Reused across messages: clear() keeps the capacity.
struct MessageHead {
  std::uint8_t method = 0;  // llhttp_method_t, requests only
  std::uint8_t http_major = 1;
  std::uint8_t http_minor = 1;
  int status = 0;           // responses only
  Span target;              // requests only
  Span reason;              // responses only
  std::vector<HeaderField> headers;

  // Facts derived while parsing, so later phases never rescan the headers.
  int host = -1;            // index into headers
  int request_id = -1;
  int forwarded_for = -1;
  int upgrade = -1;
  int user_agent = -1;
  int referer = -1;
  bool has_body = false;    // Content-Length > 0 or chunked
  bool chunked = false;
  bool expect_continue = false;
  bool connection_upgrade = false;
  bool connection_close = false;
  bool connection_keep_alive = false;
  // Framing facts of our own: llhttp misses an empty Transfer-Encoding and
  // never sees which fields a Connection header names.
  bool content_length_field = false;    // a Content-Length field, valid or not
  bool transfer_encoding = false;       // a Transfer-Encoding field, even empty
  bool te_chunked_last = false;         // its final coding is chunked, applied once
  bool te_malformed = false;            // empty list, a bad token, or a coding after chunked
  bool connection_names_framing = false;  // Connection lists Content-Length, Transfer-Encoding or Host
  std::uint64_t content_length = 0;
  std::vector<Span> connection_tokens;  // other names listed in Connection

  void clear() {
    method = 0;
    http_major = http_minor = 1;
    status = 0;
    target = {};
    reason = {};
    headers.clear();
    host = request_id = forwarded_for = upgrade = user_agent = referer = -1;
    has_body = chunked = expect_continue = connection_upgrade = false;
    connection_close = connection_keep_alive = false;
    content_length_field = transfer_encoding = te_chunked_last = te_malformed = false;
    connection_names_framing = false;
    content_length = 0;
    connection_tokens.clear();
  }
};

// Too many fields is as bad as too many bytes: both are 431.
inline constexpr std::size_t max_header_fields = 128;

// Appends a parsed field and notes what it means for the message (Host,
// Connection tokens, Expect ...). Both parsers record fields through this.
void record_field(MessageHead& head, const HeaderField& field, const char* base);

// Why a complete head's framing cannot be trusted, or null when it can:
// RFC 9112 6.1 and 6.3 as a proxy must apply them, beyond what llhttp checks.
// For requests the answer is a 400; for responses, a 502.
const char* framing_error(const MessageHead& head, bool request);

// Trims optional whitespace (SP and HTAB, RFC 9110 5.6.3) from both ends.
std::string_view trim_ows(std::string_view s);

}  // namespace sluice
