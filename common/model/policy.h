// What a route asks of the request path beyond "forward to this backend":
// typed values the controller fills and the proxy's phases apply. Routes
// hold a policy by index, and equal policies are stored once per snapshot,
// so thousands of routes with the same annotations cost one entry.
#pragma once

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
  // Set: this route's HTTPS responses carry exactly this header; unset: the
  // listener's --hsts flag decides.
  std::optional<HstsPolicy> hsts;
  HeaderEdits headers;
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
