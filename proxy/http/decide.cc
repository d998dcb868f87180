// decide(): the request phases, in order, each a few lines or a policy's
// call; the first verdict that is not continue_ ends them.
#include "proxy/http/decide.h"

#include "proxy/policy/basic_auth.h"
#include "proxy/policy/cors.h"
#include "proxy/policy/source_ranges.h"
#include "proxy/policy/ssl_redirect.h"

namespace sluice {
namespace {

// request_headers: what no route can serve.
Verdict check_request(const RequestView& request) {
  if (request.method == Method::connect)
    return Verdict::respond(Phase::request_headers, ProxyError::bad_request, "CONNECT is not supported", true);
  if (request.bad_target)
    return Verdict::respond(Phase::request_headers, ProxyError::bad_request, request.bad_target, true);
  return Verdict::proceed(Phase::request_headers);
}

// access: an Ingress whose annotation ingress-nginx would have answered
// "return 503" for (an invalid auth or allow-list value) serves nothing.
Verdict check_access(const RoutePolicy& policy) {
  if (policy.denied) return Verdict::respond(Phase::access, ProxyError::location_denied);
  return Verdict::proceed(Phase::access);
}

// access, with `satisfy any`: nginx's access phase lets the request through
// at the first handler that allows it (the allow list, then auth_basic);
// when none does, a 401 from auth_basic wins over the list's 403.
Verdict check_any_access(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection) {
  const RangeMatch ranges = match_source_ranges(policy.source_ranges, connection.client_address);
  if (ranges == RangeMatch::allowed) return Verdict::proceed(Phase::access);
  if (policy.basic_auth) return check_basic_auth(*policy.basic_auth, request);
  if (ranges == RangeMatch::denied) return Verdict::respond(Phase::access, ProxyError::forbidden);
  return Verdict::proceed(Phase::access);
}

// upstream_request, before any wait: a backend with nothing to send to.
Verdict check_backend(const Backend& backend) {
  if (backend.endpoints.empty() && !backend.is_external())
    return Verdict::respond(Phase::upstream_request, ProxyError::no_endpoints, backend.name);
  return Verdict::proceed(Phase::upstream_request);
}

}  // namespace

Decision decide(const RequestView& request, const RouteTable* table, const ConnectionFacts& connection) {
  Decision d;
  d.verdict = check_request(request);
  if (d.verdict.kind != VerdictKind::continue_) return d;

  if (!table) {
    d.verdict = Verdict::respond(Phase::route, ProxyError::no_snapshot);
    return d;
  }
  d.match = table->match(request.host, request.target);
  if (!d.match.route) {
    d.verdict = Verdict::respond(Phase::route, ProxyError::no_route);
    return d;
  }
  const RoutePolicy& policy = table->policy(*d.match.route);
  d.policy = &policy;
  d.verdict = check_access(policy);
  if (d.verdict.kind != VerdictKind::continue_) return d;
  if (policy.cors) {
    d.cors_allow_origin = cors_allow_origin(*policy.cors, request);
    d.verdict = cors_preflight(request, d.cors_allow_origin);
    if (d.verdict.kind != VerdictKind::continue_) return d;
  }
  d.verdict = ssl_redirect(policy, request, connection);
  if (d.verdict.kind != VerdictKind::continue_) return d;
  if (policy.satisfy_any) {
    d.verdict = check_any_access(policy, request, connection);
    if (d.verdict.kind != VerdictKind::continue_) return d;
  } else if (!policy.source_ranges.empty()) {
    d.verdict = check_source_ranges(policy.source_ranges, connection);
    if (d.verdict.kind != VerdictKind::continue_) return d;
  }
  if (policy.basic_auth && !policy.satisfy_any) {
    d.verdict = check_basic_auth(*policy.basic_auth, request);
    if (d.verdict.kind != VerdictKind::continue_) return d;
  }
  d.verdict = check_backend(*d.match.backend);
  return d;
}

}  // namespace sluice
