// ssl-redirect (rewrite phase): a plain-HTTP request to a route whose host
// has TLS is told to come back over HTTPS.
#pragma once

#include "common/model/policy.h"
#include "proxy/http/phase.h"
#include "proxy/http/request_view.h"

namespace sluice {

// ingress-nginx answers 308 rather than 301: it keeps the method and body.
// The Location keeps the request's host (without its port) and target.
Verdict ssl_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection);

// The host part of a Host value: its port dropped, an IPv6 literal kept whole.
std::string_view host_without_port(std::string_view host);

}  // namespace sluice
