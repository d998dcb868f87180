// The phases of an exchange and what a policy may answer in them. Every
// protocol's codec runs the same phases, in this order, for each request
// (HTTP/1: one at a time per connection; HTTP/2: one exchange per stream).
#pragma once

#include <cstdint>
#include <string_view>

#include "proxy/http/local_reply.h"

namespace sluice {

// The synchronous phases (request_headers to upstream_request, then
// response_headers and log) never suspend: they run inside decide() and the
// exchange's plain member functions, so a request keeps its fixed number of
// coroutine frames. Only the I/O between them waits.
enum class Phase : std::uint8_t {
  // The head is parsed. MAY refuse what cannot be proxied (CONNECT, a bad
  // target); MUST NOT look at the snapshot.
  request_headers,
  // The snapshot is pinned and the route chosen. MUST answer 404/503 when
  // there is no route or no snapshot; owes the exchange its RouteMatch.
  route,
  // Whether this client may have this route (allow lists, auth, limits).
  // MAY respond with a 4xx/5xx; MUST NOT change the request.
  access,
  // Redirects and rewrites (ssl-redirect, permanent-redirect, rewrite-target).
  // MAY redirect, or change what is sent upstream through header edits.
  rewrite,
  // The backend is known. MUST answer 503 when it has no endpoint; then the
  // endpoint pick, retries and the request head's edits happen here.
  upstream_request,
  // The backend's head arrived. MAY edit the client's head (HSTS, header
  // edits); MUST NOT touch the body or the framing.
  response_headers,
  // Body bytes both ways. A policy that changes bodies MUST say so before
  // the head goes out: it turns the codecs' byte passthrough off.
  body,
  // The exchange is over. MUST NOT change anything the client sees; records
  // metrics and the access log from the ExchangeRecord.
  log,
};

std::string_view phase_name(Phase p);

// What a policy (or decide()) says about a request.
enum class VerdictKind : std::uint8_t {
  continue_,  // nothing to say: the next phase runs
  respond,    // answer with a local reply and forward nothing
  redirect,   // answer with a redirect and forward nothing
};

// A local reply: the one status table (local_reply.h) turns the error into
// a status and a body.
struct LocalReplyVerdict {
  ProxyError error = ProxyError::none;
  std::string_view detail;  // a short reason for the body and the debug log
  bool close = false;       // the connection cannot carry another request
};

// Location = scheme "://" host [":" port] target, built when the head is
// written, so a redirect costs no string of its own. With no scheme the
// target is the whole Location (a URL from an annotation).
struct RedirectVerdict {
  int status = 308;
  std::string_view scheme;  // "https"; empty: `target` is the Location as is
  std::string_view host;    // as the policy wants it (ssl-redirect drops the port)
  std::string_view target;  // path and query, as the client sent them
  std::string_view port;    // set: ":port" follows the host (from-to-www-redirect)
  // nginx's `return <code> <text>` for a code that is not a redirect (300,
  // 304-306): `target` is the body and there is no Location.
  bool text_body = false;
};

// Views point into the request's head and the pinned snapshot: a verdict
// lives as long as the exchange that got it.
struct Verdict {
  VerdictKind kind = VerdictKind::continue_;
  Phase phase = Phase::request_headers;  // where it was given
  LocalReplyVerdict reply;               // respond
  RedirectVerdict redirect;              // redirect

  static Verdict proceed(Phase p) { return {VerdictKind::continue_, p, {}, {}}; }
  static Verdict respond(Phase p, ProxyError e, std::string_view detail = {}, bool close = false) {
    return {VerdictKind::respond, p, {e, detail, close}, {}};
  }
  static Verdict redirect_to(Phase p, RedirectVerdict r) { return {VerdictKind::redirect, p, {}, r}; }
};

}  // namespace sluice
