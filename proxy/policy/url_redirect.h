// Redirects a route answers itself (rewrite phase, before ssl-redirect):
// permanent-redirect / temporal-redirect (nginx's `return <code> <url>` in
// the location), app-root (the server's `if ($uri = /) { return 302 ...; }`)
// and from-to-www-redirect's generated server (ngx_srv_redirect.lua).
#pragma once

#include "common/model/policy.h"
#include "proxy/http/phase.h"
#include "proxy/http/request_view.h"

namespace sluice {

// from-to-www-redirect: every request, to scheme://<host>:<listener port>
// <request target less one trailing '/'>, whatever preserve-trailing-slash says.
Verdict www_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection);

// app-root: a request whose path is "/" (nginx's $uri: "//" merges into it)
// goes to $scheme://$http_host<app-root>, the query dropped.
Verdict app_root_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection);

// permanent-redirect / temporal-redirect: the URL as written. A URL starting
// with '/' becomes absolute as nginx makes it (absolute_redirect on,
// server_name_in_redirect and port_in_redirect off): scheme://<Host less
// its port><url>.
Verdict url_redirect(const RoutePolicy& policy, const RequestView& request, const ConnectionFacts& connection);

}  // namespace sluice
