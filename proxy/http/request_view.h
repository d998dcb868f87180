// A request as the phases see it, whatever protocol carried it: the codec
// fills it from its own head (HTTP/1: spans into the read buffer; HTTP/2:
// decoded fields) and the exchange never reads the wire format.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "common/model/ip_range.h"
#include "proxy/http/header_list.h"

namespace sluice {

// Methods the phases tell apart; the codec maps its own names onto them.
enum class Method : std::uint8_t { get, head, post, put, del, options, trace, connect, patch, other };

// Sending it twice cannot do anything twice (RFC 9110 9.2.2; nginx's list
// for proxy_next_upstream, which leaves PATCH, POST and LOCK out).
constexpr bool idempotent(Method m) {
  switch (m) {
    case Method::get: case Method::head: case Method::put: case Method::del:
    case Method::options: case Method::trace:
      return true;
    default:
      return false;
  }
}

// worker-confined; views into the codec's head, valid for the exchange.
struct RequestView {
  Method method = Method::get;
  std::string_view target;     // path and query (origin form)
  std::string_view host;       // the authority routed on: absolute-form's, else Host (h2: :authority)
  const char* bad_target = nullptr;  // why the codec cannot route the target, or null
  bool has_body = false;       // a body follows the head
  std::uint64_t content_length = 0;  // as declared (0 when chunked or none)
  bool upgrade = false;        // asks to switch protocols (WebSocket)
  const HeaderList* headers = nullptr;  // every field, as the client sent them
};

// What the connection knows that a policy may ask about.
// worker-confined; views owned by the connection.
struct ConnectionFacts {
  bool tls = false;
  std::string_view client_ip;
  // client_ip parsed once per connection (allow and deny lists compare it
  // per request); the one place a real-IP source would replace it too.
  ClientAddress client_address;
  std::array<std::uint8_t, 16> client_key{};  // the peer, IPv4 mapped into IPv6 (rate limits' key)
  std::uint64_t max_body_bytes = 0;  // the listener's --max-body-bytes, for routes that set none; 0: none
  std::string_view port;  // the listener's (nginx's $server_port)
};

}  // namespace sluice
