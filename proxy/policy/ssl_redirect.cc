// ssl-redirect; see ssl_redirect.h.
#include "proxy/policy/ssl_redirect.h"

#include "common/strings.h"

namespace sluice {

Verdict ssl_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection) {
  if (connection.tls || !policy.ssl_redirect) return Verdict::proceed(Phase::rewrite);
  return Verdict::redirect_to(Phase::rewrite, {308, "https", host_without_port(request.host), request.target});
}

}  // namespace sluice
