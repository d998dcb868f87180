// ssl-redirect; see ssl_redirect.h.
#include "proxy/policy/ssl_redirect.h"

#include "common/strings.h"

namespace sluice {

// lua_ingress.lua cuts the last byte of $request_uri when it is '/' (so
// "GET /" is sent to "https://host"), unless preserve-trailing-slash.
std::string_view redirect_target(const RoutePolicy& policy, std::string_view target) {
  if (!policy.preserve_trailing_slash && target.ends_with('/')) target.remove_suffix(1);
  return target;
}

Verdict ssl_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection) {
  if (connection.tls || !policy.ssl_redirect) return Verdict::proceed(Phase::rewrite);
  return Verdict::redirect_to(Phase::rewrite, {308, "https", host_without_port(request.host),
                                               redirect_target(policy, request.target)});
}

}  // namespace sluice
