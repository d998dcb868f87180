// The synchronous phases of an exchange as one pure function: request head,
// snapshot and connection in, verdict out. No sockets, no clock, no worker:
// tests/unit/proxy/http/decide_test.cc drives it as a table.
#pragma once

#include "common/model/route_table.h"
#include "proxy/http/phase.h"
#include "proxy/http/request_view.h"

namespace sluice {

// What the request phases decided. With a continue_ verdict the exchange
// forwards to match.backend under `policy`; otherwise it answers itself.
struct Decision {
  Verdict verdict;
  RouteMatch match;                   // set from Phase::route on
  const RoutePolicy* policy = nullptr;  // the matched route's
  std::uint64_t max_body_bytes = 0;     // the body limit that applies (route, else listener); 0: none
  // Access-Control-Allow-Origin for this exchange's answers ("*" or a view
  // of the request's Origin); empty when the route sends no CORS fields.
  std::string_view cors_allow_origin;
};

// Runs request_headers, route, access, rewrite and the synchronous part of
// upstream_request. `table` is the pinned snapshot, null before the first.
// Within a route's policy the order is nginx's for the location
// ingress-nginx renders: a denied location's "return 503"; the rewrite
// phase (the CORS preflight's `if`, then ssl-redirect in rewrite_by_lua);
// then the access phase (deny/allow lines, then auth_basic).
Decision decide(const RequestView& request, const RouteTable* table, const ConnectionFacts& connection);

}  // namespace sluice
