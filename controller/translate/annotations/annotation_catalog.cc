// The catalog's rows: one group per block, in the order of the docs'
// migration table. A group reader that starts applying a key flips its row
// to Support::supported.
#include "controller/translate/annotations/annotation_catalog.h"

#include <algorithm>
#include <array>

namespace sluice::controller {
namespace {

constexpr CatalogEntry entries[] = {
    // redirect
    {"ssl-redirect", "redirect", Support::supported, ""},
    {"force-ssl-redirect", "redirect", Support::supported, ""},
    {"permanent-redirect", "redirect", Support::supported,
     "nginx's `return <code> <url>`: the URL as written, no $request_uri appended; wins over ssl-redirect and the access phase"},
    {"permanent-redirect-code", "redirect", Support::supported,
     "300..308, else 301 (an issue is recorded)"},
    {"temporal-redirect", "redirect", Support::supported,
     "takes precedence over permanent-redirect; only http(s) URLs"},
    {"temporal-redirect-code", "redirect", Support::supported,
     "300..307, else 302 (an issue is recorded)"},
    {"app-root", "redirect", Support::supported,
     "server level: a request for exactly \"/\" (and only-slash paths) on the host gets 302; a value with '$' is refused (nginx would expand it)"},
    {"from-to-www-redirect", "redirect", Support::supported,
     "the twin host answers http-redirect-code to scheme://host:port<uri less a trailing '/'> unless an Ingress serves it"},
    {"relative-redirects", "redirect", Support::planned,
     "not supported yet (read by redirect.go, undocumented): redirects keep an absolute Location; ignored"},
    // rewrite
    {"rewrite-target", "rewrite", Support::planned,
     "not supported yet (needs regex paths in the route table); ignored, the path is matched as written"},
    {"use-regex", "rewrite", Support::planned,
     "not supported yet (needs regex paths in the route table); ignored, paths are matched as written"},
    {"x-forwarded-prefix", "rewrite", Support::supported,
     "validated (a bad value rejects the Ingress); ingress-nginx sends it only with rewrite-target, which is not supported yet, so it has no effect"},
    {"preserve-trailing-slash", "rewrite", Support::supported, ""},
    // hosts
    {"server-alias", "hosts", Support::supported,
     "exact and \"*.\" names; regex server names are refused; names an Ingress serves and names an alphabetically earlier host claims are skipped"},
    {"upstream-vhost", "hosts", Support::supported,
     "the Host header sent upstream; a value with '$' or '\\' is refused (nginx would interpret it)"},
    {"custom-headers", "hosts", Support::planned, "not supported yet; ignored"},
    {"service-upstream", "hosts", Support::planned, "not supported yet; ignored"},
    {"backend-protocol", "hosts", Support::planned, "not supported yet; ignored"},
    // limits
    {"proxy-body-size", "limits", Support::supported, "client_max_body_size: a Content-Length over it gets 413 before the backend is contacted; a chunked body over it gets 413 once it grows past it (sluice streams, so the backend may have seen its start)"},
    {"proxy-connect-timeout", "limits", Support::supported, "seconds; invalid: the ConfigMap's default"},
    {"proxy-send-timeout", "limits", Support::supported, "seconds, between two writes of the request to the backend; invalid: the default"},
    {"proxy-read-timeout", "limits", Support::supported, "seconds, between two reads of the response; invalid: the default"},
    {"proxy-next-upstream", "limits", Support::supported, "error, timeout and off as nginx; http_5xx/403/404/429 and invalid_header are accepted but not retried yet (sluice relays the response)"},
    {"proxy-next-upstream-tries", "limits", Support::supported, "attempts in all; 0: no bound"},
    {"proxy-next-upstream-timeout", "limits", Support::supported, "seconds since the first attempt; 0: no bound"},
    {"limit-rps", "limits", Support::supported, "nginx's limit_req burst=rps×multiplier nodelay, per client address, counted per worker"},
    {"limit-rpm", "limits", Support::supported, "nginx's limit_req burst=rpm×multiplier nodelay, per client address, counted per worker"},
    {"limit-connections", "limits", Support::supported, "concurrent requests per client address, counted per worker"},
    {"limit-burst-multiplier", "limits", Support::supported, "default 5"},
    {"limit-allowlist", "limits", Support::supported, "addresses and CIDRs never limited"},
    {"limit-whitelist", "limits", Support::supported, "alias of limit-allowlist"},
    // access
    {"allowlist-source-range", "access", Support::supported, "nginx allow/deny: a client outside the list gets 403; an invalid entry denies the location (503)"},
    {"whitelist-source-range", "access", Support::supported, "alias of allowlist-source-range, read only when that is absent or empty"},
    {"denylist-source-range", "access", Support::supported, "a client in the list gets 403; checked before the allow list; an invalid entry denies the location (503)"},
    {"auth-type", "access", Support::supported, "basic only: digest (no nginx module here either) denies the location (503) rather than serve it open"},
    {"auth-secret", "access", Support::supported, "namespace/name or name, same namespace only (allow-cross-namespace-resources is false by default)"},
    {"auth-secret-type", "access", Support::supported, "auth-file (key auth, htpasswd lines) or auth-map (user -> hash); no file is written"},
    {"auth-realm", "access", Support::supported, "WWW-Authenticate: Basic realm=\"...\"; \"off\" disables auth as nginx does"},
    {"satisfy", "access", Support::supported, "any: the allow list or basic auth suffices (a 401 wins over a 403); auth-url does not take part yet"},
    // external-auth
    {"auth-url", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-method", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-signin", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-signin-redirect-param", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-response-headers", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-request-redirect", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-cache-key", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-cache-duration", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-always-set-cookie", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-keepalive", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-keepalive-requests", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-keepalive-share-vars", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-keepalive-timeout", "external-auth", Support::planned, "not supported yet; ignored"},
    {"auth-proxy-set-headers", "external-auth", Support::planned, "not supported yet; ignored"},
    {"enable-global-auth", "external-auth", Support::planned, "not supported yet; ignored"},
    // cors
    {"enable-cors", "cors", Support::supported, "nginx.tmpl's CORS block: preflight 204 before access checks, fields on every answer to an allowed Origin"},
    {"cors-allow-origin", "cors", Support::supported, "matched as nginx does (~* (...)$: no case, end-anchored, one *. label)"},
    {"cors-allow-methods", "cors", Support::supported, ""},
    {"cors-allow-headers", "cors", Support::supported, ""},
    {"cors-expose-headers", "cors", Support::supported, ""},
    {"cors-allow-credentials", "cors", Support::supported, ""},
    {"cors-max-age", "cors", Support::supported, ""},
    // traffic
    {"canary", "traffic", Support::planned, "not supported yet; ignored"},
    {"canary-by-header", "traffic", Support::planned, "not supported yet; ignored"},
    {"canary-by-header-value", "traffic", Support::planned, "not supported yet; ignored"},
    {"canary-by-header-pattern", "traffic", Support::planned, "not supported yet; ignored"},
    {"canary-by-cookie", "traffic", Support::planned, "not supported yet; ignored"},
    {"canary-weight", "traffic", Support::planned, "not supported yet; ignored"},
    {"canary-weight-total", "traffic", Support::planned, "not supported yet; ignored"},
    {"affinity", "traffic", Support::planned, "not supported yet; ignored"},
    {"affinity-mode", "traffic", Support::planned, "not supported yet; ignored"},
    {"affinity-canary-behavior", "traffic", Support::planned, "not supported yet; ignored"},
    {"session-cookie-name", "traffic", Support::planned, "not supported yet; ignored"},
    {"session-cookie-path", "traffic", Support::planned, "not supported yet; ignored"},
    {"session-cookie-domain", "traffic", Support::planned, "not supported yet; ignored"},
    {"session-cookie-samesite", "traffic", Support::planned, "not supported yet; ignored"},
    {"session-cookie-conditional-samesite-none", "traffic", Support::planned, "not supported yet; ignored"},
    {"session-cookie-expires", "traffic", Support::planned, "not supported yet; ignored"},
    {"session-cookie-max-age", "traffic", Support::planned, "not supported yet; ignored"},
    {"session-cookie-secure", "traffic", Support::planned, "not supported yet; ignored"},
    {"session-cookie-change-on-failure", "traffic", Support::planned, "not supported yet; ignored"},
    {"upstream-hash-by", "traffic", Support::planned, "not supported yet; ignored"},
    {"upstream-hash-by-subset", "traffic", Support::planned, "not supported yet; ignored"},
    {"upstream-hash-by-subset-size", "traffic", Support::planned, "not supported yet; ignored"},
    {"load-balance", "traffic", Support::planned, "not supported yet; ignored"},
    // errors
    {"default-backend", "errors", Support::planned, "not supported yet; ignored"},
    {"custom-http-errors", "errors", Support::planned, "not supported yet; ignored"},
    // tls
    {"ssl-passthrough", "tls", Support::planned, "not supported yet; ignored"},
    {"auth-tls-secret", "tls", Support::planned, "not supported yet; ignored"},
    {"auth-tls-verify-client", "tls", Support::planned, "not supported yet; ignored"},
    {"auth-tls-verify-depth", "tls", Support::planned, "not supported yet; ignored"},
    {"auth-tls-pass-certificate-to-upstream", "tls", Support::planned, "not supported yet; ignored"},
    {"auth-tls-error-page", "tls", Support::planned, "not supported yet; ignored"},
    {"auth-tls-match-cn", "tls", Support::planned, "not supported yet; ignored"},
    {"ssl-ciphers", "tls", Support::planned, "not supported yet; ignored"},
    {"ssl-prefer-server-ciphers", "tls", Support::planned, "not supported yet; ignored"},
    // upstream-tls
    {"proxy-ssl-secret", "upstream-tls", Support::planned, "not supported yet; ignored"},
    {"proxy-ssl-verify", "upstream-tls", Support::planned, "not supported yet; ignored"},
    {"proxy-ssl-verify-depth", "upstream-tls", Support::planned, "not supported yet; ignored"},
    {"proxy-ssl-name", "upstream-tls", Support::planned, "not supported yet; ignored"},
    {"proxy-ssl-server-name", "upstream-tls", Support::planned, "not supported yet; ignored"},
    {"proxy-ssl-protocols", "upstream-tls", Support::planned, "not supported yet; ignored"},
    {"proxy-ssl-ciphers", "upstream-tls", Support::planned, "not supported yet; ignored"},
    // snippet
    {"configuration-snippet", "snippet", Support::refused, "configuration text is never spliced in; the Ingress is served without it"},
    {"server-snippet", "snippet", Support::refused, "configuration text is never spliced in; the Ingress is served without it"},
    {"auth-snippet", "snippet", Support::refused, "configuration text is never spliced in; the Ingress is served without it"},
    {"stream-snippet", "snippet", Support::refused, "configuration text is never spliced in; the Ingress is served without it"},
    {"modsecurity-snippet", "snippet", Support::refused, "configuration text is never spliced in; the Ingress is served without it"},
    // other
    {"proxy-buffering", "other", Support::planned, "not supported yet; ignored"},
    {"proxy-buffer-size", "other", Support::planned, "not supported yet; ignored"},
    {"proxy-buffers-number", "other", Support::planned, "not supported yet; ignored"},
    {"proxy-busy-buffers-size", "other", Support::planned, "not supported yet; ignored"},
    {"proxy-max-temp-file-size", "other", Support::planned, "not supported yet; ignored"},
    {"proxy-request-buffering", "other", Support::planned, "not supported yet; ignored"},
    {"proxy-http-version", "other", Support::planned, "not supported yet; ignored"},
    {"proxy-cookie-domain", "other", Support::planned, "not supported yet; ignored"},
    {"proxy-cookie-path", "other", Support::planned, "not supported yet; ignored"},
    {"proxy-redirect-from", "other", Support::planned, "not supported yet; ignored"},
    {"proxy-redirect-to", "other", Support::planned, "not supported yet; ignored"},
    {"connection-proxy-header", "other", Support::planned, "not supported yet; ignored"},
    {"client-body-buffer-size", "other", Support::planned, "not supported yet; ignored"},
    {"enable-access-log", "other", Support::planned, "not supported yet; ignored"},
    {"enable-rewrite-log", "other", Support::planned, "not supported yet; ignored"},
    {"limit-rate", "other", Support::planned, "not supported yet; ignored"},
    {"limit-rate-after", "other", Support::planned, "not supported yet; ignored"},
    {"mirror-target", "other", Support::planned, "not supported yet; ignored"},
    {"mirror-host", "other", Support::planned, "not supported yet; ignored"},
    {"mirror-request-body", "other", Support::planned, "not supported yet; ignored"},
    {"enable-modsecurity", "other", Support::planned, "not supported yet; ignored"},
    {"enable-owasp-core-rules", "other", Support::planned, "not supported yet; ignored"},
    {"modsecurity-transaction-id", "other", Support::planned, "not supported yet; ignored"},
    {"enable-opentelemetry", "other", Support::planned, "not supported yet; ignored"},
    {"opentelemetry-trust-incoming-span", "other", Support::planned, "not supported yet; ignored"},
    {"http2-push-preload", "other", Support::planned, "not supported yet; ignored"},
};

}  // namespace

std::string_view support_name(Support support) {
  switch (support) {
    case Support::supported: return "supported";
    case Support::planned: return "planned";
    case Support::refused: return "refused";
  }
  return "planned";
}

std::span<const CatalogEntry> annotation_catalog() { return entries; }

const CatalogEntry* find_in_catalog(std::string_view key) {
  auto it = std::find_if(std::begin(entries), std::end(entries),
                         [&](const CatalogEntry& e) { return e.key == key; });
  return it == std::end(entries) ? nullptr : &*it;
}

}  // namespace sluice::controller
