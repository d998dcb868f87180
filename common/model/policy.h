// What a route asks of the request path beyond "forward to this backend":
// typed values the controller fills and the proxy's phases apply. Routes
// hold a policy by index, and equal policies are stored once per snapshot,
// so thousands of routes with the same annotations cost one entry.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/model/ip_range.h"

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

// One IPv4 or IPv6 network (an address is a /32 or /128): a client address
// matches when its first prefix_bits bits equal those of `address`. IPv4 is
// held as an IPv4-mapped IPv6 address (::ffff:a.b.c.d), so one compare serves both.
// any thread (immutable once in a RouteTable)
struct CidrRange {
  std::array<std::uint8_t, 16> address{};  // bits past prefix_bits are zero
  std::uint8_t prefix_bits = 128;          // of the 128 (an IPv4 /n is 96 + n)
  bool operator==(const CidrRange&) const = default;
};

// nginx's proxy_next_upstream conditions, as ingress-nginx's
// proxy-next-upstream annotation names them (a bit each).
enum NextUpstream : std::uint16_t {
  next_on_error = 1 << 0,           // error: connect failure, reset, write failure
  next_on_timeout = 1 << 1,         // timeout: connect or response-head timeout
  next_on_invalid_header = 1 << 2,  // invalid_header: a response head that does not parse
  next_on_http_500 = 1 << 3,
  next_on_http_502 = 1 << 4,
  next_on_http_503 = 1 << 5,
  next_on_http_504 = 1 << 6,
  next_on_http_403 = 1 << 7,
  next_on_http_404 = 1 << 8,
  next_on_http_429 = 1 << 9,
  next_on_non_idempotent = 1 << 10,  // non_idempotent: also POST, PATCH, LOCK once sent
};

// What the route asks of its upstream attempts: ingress-nginx's
// proxy-connect/send/read-timeout and proxy-next-upstream(-tries, -timeout),
// i.e. nginx's proxy_connect_timeout, proxy_send_timeout, proxy_read_timeout,
// proxy_next_upstream, proxy_next_upstream_tries, proxy_next_upstream_timeout.
// any thread (immutable once in a RouteTable)
struct UpstreamPolicy {
  std::chrono::milliseconds connect_timeout{5'000};
  std::chrono::milliseconds send_timeout{60'000};  // between two writes of the request
  std::chrono::milliseconds read_timeout{60'000};  // between two reads of the response
  std::uint16_t next_upstream = next_on_error | next_on_timeout;  // NextUpstream bits; 0: "off"
  std::uint32_t next_upstream_tries = 3;                // attempts in all; 0: no bound
  std::chrono::milliseconds next_upstream_timeout{0};   // since the first attempt; 0: no bound
  bool operator==(const UpstreamPolicy&) const = default;
};

// ingress-nginx's limit-rps / limit-rpm (limit_req ... burst=N nodelay) and
// limit-connections (limit_conn), keyed by client address; the allow list
// (limit-allowlist) is exempt. All routes of one Ingress share its zone,
// as they share ingress-nginx's limit_req_zone.
// any thread (immutable once in a RouteTable)
struct RateLimitPolicy {
  std::uint64_t zone = 0;            // names the Ingress (a hash of namespace/name/uid)
  std::uint32_t rps = 0;             // limit-rps; 0: none
  std::uint32_t rps_burst = 0;       // rps × limit-burst-multiplier
  std::uint32_t rpm = 0;             // limit-rpm; 0: none
  std::uint32_t rpm_burst = 0;       // rpm × limit-burst-multiplier
  std::uint32_t connections = 0;     // limit-connections: concurrent requests; 0: none
  std::uint16_t request_status = 503;     // limit-req-status-code
  std::uint16_t connection_status = 503;  // limit-conn-status-code
  std::vector<CidrRange> allowlist;       // limit-allowlist: never limited
  bool operator==(const RateLimitPolicy&) const = default;
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

// allowlist-source-range and denylist-source-range: the allow and deny
// lines ingress-nginx puts in the location (deny first, then allow, then
// "deny all" when there is an allow list).
// any thread (immutable once in a RouteTable)
struct SourceRanges {
  std::vector<IpRange> deny;   // a client in one of these gets 403
  std::vector<IpRange> allow;  // when not empty, a client in none of these gets 403
  bool empty() const { return deny.empty() && allow.empty(); }
  bool operator==(const SourceRanges&) const = default;
};

// One line of an htpasswd file: who, and the hash the password must match
// (as nginx's ngx_crypt reads it: $apr1$, {PLAIN}, {SHA}, {SSHA}, or crypt(3)).
// any thread (immutable once in a RouteTable)
struct BasicCredential {
  std::string user;
  std::string hash;
  bool operator==(const BasicCredential&) const = default;
};

// auth-type: basic with auth-secret and auth-realm (nginx's auth_basic and
// auth_basic_user_file; the Authorization field is not sent upstream).
// any thread (immutable once in a RouteTable)
struct BasicAuthPolicy {
  std::string challenge;  // the WWW-Authenticate value: Basic realm="<auth-realm>"
  std::vector<BasicCredential> users;  // in file order; nginx takes the first line naming a user
  bool operator==(const BasicAuthPolicy&) const = default;
};

// One cors-allow-origin entry. nginx.tmpl matches `$http_origin ~* (...)$`:
// without case, anchored at the end only, a "*." matching one or more
// [A-Za-z0-9-]. So an Origin matches when it ends with prefix, then (for a
// wildcard) such a label, then suffix.
// any thread (immutable once in a RouteTable)
struct CorsOrigin {
  std::string prefix;     // "https://"; the whole entry when there is no wildcard
  bool wildcard = false;  // the entry had "*." after its scheme
  std::string suffix;     // ".example.com:8443" (with the wildcard's '.')
  bool operator==(const CorsOrigin&) const = default;
};

// enable-cors and the cors-* keys, as nginx.tmpl's CORS block renders them.
// any thread (immutable once in a RouteTable)
struct CorsPolicy {
  // cors-allow-origin "*" (its default): every response carries the fields,
  // with Access-Control-Allow-Origin "*", whatever the request's Origin.
  bool any_origin = true;
  std::vector<CorsOrigin> origins;  // otherwise: the Origin must match one (none: never)
  // Every Access-Control-* field but Allow-Origin, in the template's order
  // (Allow-Credentials, Allow-Methods, Allow-Headers, Expose-Headers, Max-Age).
  std::vector<HeaderEdit> fields;
  bool operator==(const CorsPolicy&) const = default;
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
  // nginx's client_max_body_size (proxy-body-size): a larger body gets 413;
  // 0: no limit; unset: the listener's --max-body-bytes.
  std::optional<std::uint64_t> max_body_bytes;
  // Unset: the listener's timeouts and retry flags.
  std::optional<UpstreamPolicy> upstream;
  // Unset: no limit. Set only when a limit is (ingress-nginx's "> 0").
  std::optional<RateLimitPolicy> rate_limit;
  SourceRanges source_ranges;               // empty: every client
  std::optional<BasicAuthPolicy> basic_auth;  // unset: no credentials asked
  // satisfy: any (nginx's): a client the allow list admits, or one with
  // valid credentials, is enough; otherwise (all) every check must pass.
  bool satisfy_any = false;
  std::optional<CorsPolicy> cors;            // unset: enable-cors is off
  bool operator==(const RoutePolicy&) const = default;
};

// A stable text form: the builder's deduplication key, and what
// /debug/snapshot prints.
std::string describe(const RoutePolicy& policy);

}  // namespace sluice
