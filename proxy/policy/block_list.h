// block-cidrs, block-user-agents, block-referers (the ConfigMap's global
// filters, ProxySettings): a 403 before anything reaches a backend.
//
// Where each runs follows ingress-nginx's template: the user-agent and
// referer checks are `if ($block_ua) { return 403; }` at server level (the
// server-rewrite phase, before any location is chosen), so they run ahead of
// routing and answer unknown hosts too; block-cidrs is the http-level
// `deny`, the access phase of whichever location answers, so it runs after
// the rewrite phase's redirects (an ssl-redirect still answers 308) and also
// for requests no rule matches (the default server's location).
#pragma once

#include "common/model/proxy_settings.h"
#include "proxy/http/phase.h"
#include "proxy/http/request_view.h"

namespace sluice {

// request_headers, once the snapshot is known: User-Agent and Referer.
Verdict check_blocked_agents(const ProxySettings& settings, const RequestView& request);
// access: the client address (after the real-IP rules) in block-cidrs.
Verdict check_blocked_address(const ProxySettings& settings, const ConnectionFacts& connection);

}  // namespace sluice
