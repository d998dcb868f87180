// Redirects a route answers itself; see url_redirect.h.
#include "proxy/policy/url_redirect.h"

#include "common/model/route_table.h"
#include "common/strings.h"
#include "proxy/policy/ssl_redirect.h"

namespace sluice {
namespace {

std::string_view scheme_of(const ConnectionFacts& connection) { return connection.tls ? "https" : "http"; }

// The codes nginx's `return` sends a Location for; others take the text as body.
bool is_redirect_code(int code) { return code == 301 || code == 302 || code == 303 || code == 307 || code == 308; }

// $uri == "/": nginx merges slashes (merge_slashes on), so "//" is "/" too.
bool is_root_path(std::string_view target) {
  std::string_view path = strip_query(target);
  return !path.empty() && path.find_first_not_of('/') == std::string_view::npos;
}

}  // namespace

Verdict www_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection) {
  if (!policy.www_redirect) return Verdict::proceed(Phase::rewrite);
  RedirectVerdict r{policy.www_redirect->code, scheme_of(connection), policy.www_redirect->host,
                    redirect_target(RoutePolicy{}, request.target)};
  r.port = connection.port;
  return Verdict::redirect_to(Phase::rewrite, r);
}

Verdict app_root_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection) {
  if (policy.app_root.empty() || !is_root_path(request.target)) return Verdict::proceed(Phase::rewrite);
  return Verdict::redirect_to(Phase::rewrite, {302, scheme_of(connection), request.host, policy.app_root});
}

Verdict url_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection) {
  if (!policy.redirect) return Verdict::proceed(Phase::rewrite);
  const ReturnRedirect& r = *policy.redirect;
  if (!is_redirect_code(r.code)) {
    RedirectVerdict text{r.code, {}, {}, r.url};
    text.text_body = true;
    return Verdict::redirect_to(Phase::rewrite, text);
  }
  if (r.url.starts_with('/'))
    return Verdict::redirect_to(Phase::rewrite, {r.code, scheme_of(connection), host_without_port(request.host), r.url});
  return Verdict::redirect_to(Phase::rewrite, {r.code, {}, {}, r.url});
}

}  // namespace sluice
