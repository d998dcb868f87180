// What a header field's name means to the proxy, decided once per field
// while parsing, so routing, logging and rewriting never compare names again.
#pragma once

#include <cstdint>
#include <string_view>

namespace sluice {

enum class HeaderKind : std::uint8_t {
  other,  // end-to-end, passed on as received
  // end-to-end fields the proxy also reads
  host,
  x_request_id,
  user_agent,
  referer,
  expect,
  content_length,     // framing: never removed because Connection names it
  transfer_encoding,  // framing: forwarded with the body bytes it describes
  // a name with '_': dropped from requests unless allowed, as nginx does
  // (a backend that maps '-' and '_' alike, as CGI does, would read
  // Content_Length as Content-Length)
  underscored,
  // hop-by-hop (RFC 9110 7.6.1): never passed on
  connection,
  upgrade,
  keep_alive,
  te,
  trailer,
  proxy_connection,
  // set by the proxy from what it saw itself, never trusted from the client
  x_forwarded_for,
  x_real_ip,
  x_forwarded_proto,
  x_forwarded_host,
  x_forwarded_port,
};

// Case-insensitive, as field names are (RFC 9110 5.1).
HeaderKind classify_header(std::string_view name);

inline bool is_hop_by_hop(HeaderKind k) { return k >= HeaderKind::connection && k <= HeaderKind::proxy_connection; }
inline bool is_forwarding(HeaderKind k) { return k >= HeaderKind::x_forwarded_for; }

}  // namespace sluice
