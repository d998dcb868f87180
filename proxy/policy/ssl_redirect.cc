// ssl-redirect; see ssl_redirect.h.
#include "proxy/policy/ssl_redirect.h"

namespace sluice {

std::string_view host_without_port(std::string_view host) {
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    return host.substr(0, colon);
  if (host.starts_with('[')) {
    if (auto close = host.find(']'); close != std::string_view::npos) return host.substr(0, close + 1);
  }
  return host;
}

Verdict ssl_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection) {
  if (connection.tls || !policy.ssl_redirect) return Verdict::proceed(Phase::rewrite);
  return Verdict::redirect_to(Phase::rewrite, {308, "https", host_without_port(request.host), request.target});
}

}  // namespace sluice
