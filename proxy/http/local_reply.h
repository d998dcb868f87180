// Responses the proxy writes itself: errors mapped from where they happened
// to the status a user expects, small, saying what happened.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {

// Everything that can end an exchange early, named for what happened.
enum class ProxyError {
  none,
  bad_request,           // 400: malformed or framing attack
  no_route,              // 404
  request_timeout,       // 408: header block not complete in time
  body_too_large,        // 413
  header_too_large,      // 431
  too_many_fields,       // 431: more header fields than allowed
  uri_too_long,          // 414: request line longer than allowed
  bad_version,           // 505
  no_endpoints,          // 503: backend has no ready endpoint
  no_snapshot,           // 503: no configuration published yet
  upstream_connect_failed,  // 502: refused, unreachable, connect timeout
  upstream_reset,        // 502: closed or reset before a full response head
  upstream_bad_response, // 502: response did not parse
  upstream_timeout,      // 504: no response head in time
  dns_failed,            // 502: ExternalName did not resolve
  location_denied,       // 503: an annotation ingress-nginx denies the location for
  rate_limited,          // 503: limit-rps / limit-rpm (limit-req-status-code 503)
  rate_limited_429,      // 429: the same with limit-req-status-code 429
  connection_limited,    // 503: limit-connections (limit-conn-status-code 503)
  connection_limited_429,  // 429: the same with limit-conn-status-code 429
  blocked,               // 403: the ConfigMap's block-cidrs, block-user-agents or block-referers
  forbidden,             // 403: the client's address is denied (allow/deny source ranges)
  unauthorized,          // 401: basic auth wants (other) credentials
  cors_preflight,        // 204: a CORS preflight, answered by the proxy (not an error)
  shutting_down,         // 503
};
inline constexpr std::size_t proxy_error_count = static_cast<std::size_t>(ProxyError::shutting_down) + 1;

int status_for(ProxyError e);
std::string_view reason_phrase(int status);
std::string_view describe(ProxyError e);
// The enumerator's name ("header_too_large"), for metric labels.
std::string_view error_name(ProxyError e);

struct RedirectVerdict;
class FieldEdits;

// Writes a complete redirect response into `out` (replacing its contents),
// with the phases' `fields` (CORS) when any.
void build_redirect(std::string& out, const RedirectVerdict& r, std::string_view request_id, bool close,
                    const FieldEdits* fields = nullptr);

// Writes a complete response into `out` (replacing its contents). `fields`
// are the phases' own for this answer (WWW-Authenticate, CORS), when any.
// A 204 has no body.
void build_local_reply(std::string& out, ProxyError e, std::string_view request_id,
                       std::string_view detail, bool close, const FieldEdits* fields = nullptr);

}  // namespace sluice
