// enable-cors (rewrite phase, and the response head): nginx.tmpl's CORS
// block. An Origin the policy allows gets the Access-Control-* fields on
// every answer, the backend's and the proxy's own; an OPTIONS request with
// such an Origin is a preflight the proxy answers 204 itself, before any
// access check (the template's `if` returns in nginx's rewrite phase,
// before auth_basic and allow/deny run in the access phase).
#pragma once

#include <string_view>

#include "common/model/policy.h"
#include "proxy/http/phase.h"
#include "proxy/http/request_view.h"

namespace sluice {

// The Access-Control-Allow-Origin value for this request: "*" for a policy
// allowing any origin, the request's Origin when an entry matches it, or
// empty when the CORS fields are not sent.
std::string_view cors_allow_origin(const CorsPolicy& cors, const RequestView& request);
// One entry against an Origin value, as nginx's `~* (entry)$` does.
bool cors_origin_matches(const CorsOrigin& entry, std::string_view origin);

// 204 for an OPTIONS request whose Origin is allowed (`allow_origin` not empty).
Verdict cors_preflight(const RequestView& request, std::string_view allow_origin);

}  // namespace sluice
