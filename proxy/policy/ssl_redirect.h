// ssl-redirect (rewrite phase): a plain-HTTP request to a route whose host
// has TLS is told to come back over HTTPS.
#pragma once

#include "common/model/policy.h"
#include "proxy/http/phase.h"
#include "proxy/http/request_view.h"

namespace sluice {

// ingress-nginx answers 308 rather than 301: it keeps the method and body.
// The Location keeps the request's host (without its port) and target, less
// a trailing '/' (see redirect_target).
std::string_view redirect_target(const RoutePolicy& policy, std::string_view target);
Verdict ssl_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection);

}  // namespace sluice
