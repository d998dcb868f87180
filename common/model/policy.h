// What a route asks of the request path beyond "forward to this backend":
// typed values the controller fills and the proxy's phases apply. Routes
// hold a policy by index, and equal policies are stored once per snapshot,
// so thousands of routes with the same annotations cost one entry.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sluice {

// One change to a head's fields, applied while the head is written (never
// by splicing text into a serialized head). Names compare without case.
enum class HeaderEditOp : std::uint8_t {
  set,     // replace every field of that name with one (add it when absent)
  add,     // append a field, keeping those already there
  remove,  // drop every field of that name
};

// any thread (immutable once in a RouteTable)
struct HeaderEdit {
  HeaderEditOp op = HeaderEditOp::set;
  std::string name;
  std::string value;  // unused by remove
  bool operator==(const HeaderEdit&) const = default;
};

// any thread (immutable once in a RouteTable)
struct HeaderEdits {
  std::vector<HeaderEdit> request;   // on the head sent upstream
  std::vector<HeaderEdit> response;  // on the head sent to the client
  bool empty() const { return request.empty() && response.empty(); }
  bool operator==(const HeaderEdits&) const = default;
};

// Strict-Transport-Security (RFC 6797) as ingress-nginx's hsts-* keys set it.
// any thread (immutable once in a RouteTable)
struct HstsPolicy {
  std::uint32_t max_age_seconds = 31536000;  // ingress-nginx's hsts-max-age
  bool include_subdomains = true;            // hsts-include-subdomains
  bool preload = false;                      // hsts-preload
  bool operator==(const HstsPolicy&) const = default;
};

// nginx's `return <code> <url>` in the location (permanent-redirect,
// temporal-redirect): nothing is forwarded. For 301, 302, 303, 307 and 308
// nginx sends `url` as the Location; any other code (300, 304-306, which
// ingress-nginx's ranges let through) gets `url` as the body instead.
// any thread (immutable once in a RouteTable)
struct ReturnRedirect {
  std::uint16_t code = 301;
  std::string url;  // as written in the annotation: nginx does not append $request_uri
  bool operator==(const ReturnRedirect&) const = default;
};

// from-to-www-redirect's generated server (ngx_srv_redirect.lua): every
// request to the other name is sent to `host` with the listener's port.
// any thread (immutable once in a RouteTable)
struct WwwRedirect {
  std::uint16_t code = 308;  // the ConfigMap's http-redirect-code
  std::string host;          // the Ingress's rule host
  bool operator==(const WwwRedirect&) const = default;
};

// any thread (immutable once in a RouteTable)
struct RoutePolicy {
  // An annotation's value was one ingress-nginx denies the location for:
  // every request answers 503 and nothing reaches the backend.
  bool denied = false;
  // Plain-HTTP requests get a 308 to https:// (ingress-nginx's ssl-redirect:
  // on by default for a host with TLS).
  bool ssl_redirect = false;
  // Redirects keep a trailing '/' of the request target; ingress-nginx drops
  // it unless preserve-trailing-slash is "true" (lua_ingress.lua).
  bool preserve_trailing_slash = false;
  // permanent-redirect / temporal-redirect.
  std::optional<ReturnRedirect> redirect;
  // from-to-www-redirect: this route only exists to redirect to the twin host.
  std::optional<WwwRedirect> www_redirect;
  // app-root (server level, before the location is chosen): a request whose
  // path is exactly "/" gets 302 to $scheme://$http_host<app_root>.
  std::string app_root;
  // Set: this route's HTTPS responses carry exactly this header; unset: the
  // listener's --hsts flag decides.
  std::optional<HstsPolicy> hsts;
  HeaderEdits headers;
  bool operator==(const RoutePolicy&) const = default;
};

// A stable text form: the builder's deduplication key, and what
// /debug/snapshot prints.
std::string describe(const RoutePolicy& policy);

}  // namespace sluice
