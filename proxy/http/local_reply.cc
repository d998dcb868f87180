// The one table that maps a ProxyError to its status and words.
#include "proxy/http/local_reply.h"

#include <charconv>
#include <cstdint>
#include <span>

#include "proxy/http/field_edits.h"
#include "proxy/http/phase.h"

namespace sluice {

int status_for(ProxyError e) {
  switch (e) {
    case ProxyError::none: return 200;
    case ProxyError::bad_request: return 400;
    case ProxyError::blocked: return 403;
    case ProxyError::no_route: return 404;
    case ProxyError::request_timeout: return 408;
    case ProxyError::body_too_large: return 413;
    case ProxyError::header_too_large:
    case ProxyError::too_many_fields: return 431;
    case ProxyError::uri_too_long: return 414;
    case ProxyError::bad_version: return 505;
    case ProxyError::no_endpoints:
    case ProxyError::no_snapshot:
    case ProxyError::location_denied:
    case ProxyError::rate_limited:
    case ProxyError::connection_limited:
    case ProxyError::shutting_down: return 503;
    case ProxyError::rate_limited_429:
    case ProxyError::connection_limited_429: return 429;
    case ProxyError::upstream_connect_failed:
    case ProxyError::upstream_reset:
    case ProxyError::upstream_bad_response:
    case ProxyError::dns_failed: return 502;
    case ProxyError::upstream_timeout: return 504;
    case ProxyError::forbidden: return 403;
    case ProxyError::unauthorized: return 401;
    case ProxyError::cors_preflight: return 204;
  }
  return 500;
}

std::string_view describe(ProxyError e) {
  switch (e) {
    case ProxyError::none: return "ok";
    case ProxyError::bad_request: return "malformed request";
    case ProxyError::no_route: return "no Ingress rule matches this host and path";
    case ProxyError::request_timeout: return "request header not received in time";
    case ProxyError::body_too_large: return "request body larger than allowed";
    case ProxyError::header_too_large: return "request header fields too large";
    case ProxyError::too_many_fields: return "too many request header fields";
    case ProxyError::uri_too_long: return "request line too long";
    case ProxyError::bad_version: return "only HTTP/1.0 and HTTP/1.1 are served here";
    case ProxyError::no_endpoints: return "the backend service has no ready endpoints";
    case ProxyError::no_snapshot: return "no routing configuration loaded yet";
    case ProxyError::upstream_connect_failed: return "could not connect to the backend";
    case ProxyError::upstream_reset: return "the backend closed the connection before responding";
    case ProxyError::upstream_bad_response: return "the backend sent a malformed response";
    case ProxyError::upstream_timeout: return "the backend did not respond in time";
    case ProxyError::dns_failed: return "the ExternalName service did not resolve";
    case ProxyError::location_denied: return "this Ingress has an invalid annotation (see its events or sluice ctl lint)";
    case ProxyError::rate_limited:
    case ProxyError::rate_limited_429: return "too many requests from this address";
    case ProxyError::connection_limited:
    case ProxyError::connection_limited_429: return "too many concurrent requests from this address";
    case ProxyError::blocked: return "the client, its user agent or its referer is blocked";
    case ProxyError::shutting_down: return "the proxy is shutting down";
    case ProxyError::forbidden: return "this client address may not use this Ingress";
    case ProxyError::unauthorized: return "this Ingress asks for a user and password";
    case ProxyError::cors_preflight: return "CORS preflight";
  }
  return "error";
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 300: return "Multiple Choices";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 305: return "Use Proxy";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

std::string_view error_name(ProxyError e) {
  switch (e) {
    case ProxyError::none: return "none";
    case ProxyError::bad_request: return "bad_request";
    case ProxyError::no_route: return "no_route";
    case ProxyError::request_timeout: return "request_timeout";
    case ProxyError::body_too_large: return "body_too_large";
    case ProxyError::header_too_large: return "header_too_large";
    case ProxyError::too_many_fields: return "too_many_fields";
    case ProxyError::uri_too_long: return "uri_too_long";
    case ProxyError::bad_version: return "bad_version";
    case ProxyError::no_endpoints: return "no_endpoints";
    case ProxyError::no_snapshot: return "no_snapshot";
    case ProxyError::upstream_connect_failed: return "upstream_connect_failed";
    case ProxyError::upstream_reset: return "upstream_reset";
    case ProxyError::upstream_bad_response: return "upstream_bad_response";
    case ProxyError::upstream_timeout: return "upstream_timeout";
    case ProxyError::dns_failed: return "dns_failed";
    case ProxyError::location_denied: return "location_denied";
    case ProxyError::rate_limited: return "rate_limited";
    case ProxyError::rate_limited_429: return "rate_limited_429";
    case ProxyError::connection_limited: return "connection_limited";
    case ProxyError::connection_limited_429: return "connection_limited_429";
    case ProxyError::blocked: return "blocked";
    case ProxyError::shutting_down: return "shutting_down";
    case ProxyError::forbidden: return "forbidden";
    case ProxyError::unauthorized: return "unauthorized";
    case ProxyError::cors_preflight: return "cors_preflight";
  }
  return "unknown";
}

namespace {

std::string_view decimal(char (&buf)[24], std::uint64_t v) {
  return {buf, static_cast<std::size_t>(std::to_chars(buf, buf + sizeof buf, v).ptr - buf)};
}

// The head every local answer shares; `extra` are its own fields' pieces,
// ending in CRLF, and `fields` the phases'. Appends to `out`.
void put_local_head(std::string& out, int status, std::span<const std::string_view> extra,
                    std::size_t content_length, std::string_view request_id, bool close,
                    const FieldEdits* fields = nullptr) {
  char digits[24];
  out += "HTTP/1.1 ";
  out += decimal(digits, static_cast<std::uint64_t>(status));
  out += ' ';
  out += reason_phrase(status);
  out += "\r\nServer: sluice\r\n";
  for (std::string_view piece : extra) out += piece;
  if (fields) {
    fields->for_each_added([&out](std::string_view name, std::string_view value) {
      out += name;
      out += ": ";
      out += value;
      out += "\r\n";
    });
  }
  out += "Content-Length: ";
  out += decimal(digits, content_length);
  out += "\r\nX-Request-ID: ";
  out += request_id;
  out += close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n";
}

}  // namespace

// The body is "404 Not Found: <what happened> (<detail>)\nrequest id: <id>\n",
// measured first and written after the head into the same string, whose
// capacity the connection reuses: a local reply allocates nothing once warm.
void build_local_reply(std::string& out, ProxyError e, std::string_view request_id,
                       std::string_view detail, bool close, const FieldEdits* fields) {
  const int status = status_for(e);
  out.clear();
  if (status == 204) {  // nginx.tmpl's CORS preflight: its own Content-Type, no body
    const std::string_view content_type[] = {"Content-Type: text/plain charset=UTF-8\r\n"};
    put_local_head(out, status, content_type, 0, request_id, close, fields);
    return;
  }
  char digits[24];
  const std::string_view parts[] = {decimal(digits, static_cast<std::uint64_t>(status)), " ",
                                    reason_phrase(status), ": ", describe(e),
                                    detail.empty() ? "" : " (", detail, detail.empty() ? "" : ")",
                                    "\nrequest id: ", request_id, "\n"};
  std::size_t body_size = 0;
  for (std::string_view p : parts) body_size += p.size();
  const std::string_view content_type[] = {"Content-Type: text/plain; charset=utf-8\r\n"};
  put_local_head(out, status, content_type, body_size, request_id, close, fields);
  for (std::string_view p : parts) out += p;
}

// A 304 has no body whatever `return` says (RFC 9110 15.4.5), as nginx sends it.
void build_redirect(std::string& out, const RedirectVerdict& r, std::string_view request_id, bool close,
                    const FieldEdits* fields) {
  out.clear();
  if (r.text_body) {
    const std::string_view body = r.status == 304 ? std::string_view{} : r.target;
    const std::string_view content_type[] = {"Content-Type: text/html\r\n"};
    put_local_head(out, r.status, content_type, body.size(), request_id, close, fields);
    out += body;
    return;
  }
  const bool whole = r.scheme.empty();
  const std::string_view location[] = {"Location: ", r.scheme, whole ? "" : "://", r.host,
                                       r.port.empty() ? "" : ":", r.port, r.target, "\r\n"};
  put_local_head(out, r.status, location, 0, request_id, close, fields);
}

}  // namespace sluice
