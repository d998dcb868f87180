// decide(): the request phases, in order, each a few lines or a policy's
// call; the first verdict that is not continue_ ends them.
#include "proxy/http/decide.h"

#include "proxy/policy/block_list.h"
#include "proxy/policy/basic_auth.h"
#include "proxy/policy/cors.h"
#include "proxy/policy/source_ranges.h"
#include "proxy/policy/ssl_redirect.h"
#include "proxy/policy/url_redirect.h"

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

// route (nginx's find_config): a declared body over client_max_body_size is
// refused before anything else looks at the request; a chunked one is
// counted as it arrives, against the same limit.
Verdict check_body_size(const RequestView& request, std::uint64_t limit) {
  if (limit != 0 && request.content_length > limit)
    return Verdict::respond(Phase::route, ProxyError::body_too_large, {}, true);
  return Verdict::proceed(Phase::route);
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

// The server level, before any location: a from-to-www twin, then app-root.
Verdict server_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection) {
  Verdict v = www_redirect(policy, request, connection);
  if (v.kind != VerdictKind::continue_) return v;
  return app_root_redirect(policy, request, connection);
}

// The access phase's allow and deny lists and basic auth (nginx's
// ngx_http_access_module and auth_basic, combined by `satisfy`).
Verdict check_client(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection) {
  if (policy.satisfy_any) return check_any_access(policy, request, connection);
  if (!policy.source_ranges.empty()) {
    Verdict v = check_source_ranges(policy.source_ranges, connection);
    if (v.kind != VerdictKind::continue_) return v;
  }
  if (policy.basic_auth) return check_basic_auth(*policy.basic_auth, request);
  return Verdict::proceed(Phase::access);
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
  // One branch when the ConfigMap blocks nothing (block_list.h says why
  // these checks sit where they do).
  const ProxySettings& settings = table->settings();
  const bool blocks = settings.blocks_anything();
  if (blocks) {
    d.verdict = check_blocked_agents(settings, request);
    if (d.verdict.kind != VerdictKind::continue_) return d;
  }
  d.match = table->match(request.host, request.target);
  if (!d.match.route) {
    d.verdict = blocks ? check_blocked_address(settings, connection) : Verdict::proceed(Phase::access);
    if (d.verdict.kind == VerdictKind::continue_) d.verdict = Verdict::respond(Phase::route, ProxyError::no_route);
    return d;
  }
  d.policy = &table->policy(*d.match.route);
  // ingress-nginx's order: the server's own redirects (a from-to-www server,
  // app-root's `if` at server level) before the location is chosen; then
  // client_max_body_size (nginx judges Content-Length when it finds the
  // location); in the location, a denied one has nothing but `return 503`,
  // the rewrite module's `return <code> <url>` runs before the Lua rewrite
  // (ssl-redirect), and all of them before the access phase.
  const bool redirects = d.policy->www_redirect || !d.policy->app_root.empty() || d.policy->redirect;
  if (redirects) {
    d.verdict = server_redirect(*d.policy, request, connection);
    if (d.verdict.kind != VerdictKind::continue_) return d;
  }
  d.max_body_bytes = d.policy->max_body_bytes.value_or(connection.max_body_bytes);
  d.verdict = check_body_size(request, d.max_body_bytes);
  if (d.verdict.kind != VerdictKind::continue_) return d;
  if (redirects && !d.policy->denied) {
    d.verdict = url_redirect(*d.policy, request, connection);
    if (d.verdict.kind != VerdictKind::continue_) return d;
  }
  d.verdict = check_access(*d.policy);
  if (d.verdict.kind != VerdictKind::continue_) return d;
  if (d.policy->cors) {  // the preflight is answered in the rewrite phase, before any auth
    d.cors_allow_origin = cors_allow_origin(*d.policy->cors, request);
    d.verdict = cors_preflight(request, d.cors_allow_origin);
    if (d.verdict.kind != VerdictKind::continue_) return d;
  }
  d.verdict = ssl_redirect(*d.policy, request, connection);
  if (d.verdict.kind != VerdictKind::continue_) return d;
  if (blocks) {
    d.verdict = check_blocked_address(settings, connection);
    if (d.verdict.kind != VerdictKind::continue_) return d;
  }
  d.verdict = check_client(*d.policy, request, connection);
  if (d.verdict.kind != VerdictKind::continue_) return d;
  d.verdict = check_backend(*d.match.backend);
  return d;
}

}  // namespace sluice
