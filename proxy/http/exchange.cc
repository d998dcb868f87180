// Exchange: the version-neutral side of one request; see exchange.h.
#include "proxy/http/exchange.h"

#include "common/coarse_clock.h"
#include "common/model/ip_network.h"
#include "proxy/policy/forwarded_headers.h"
#include "proxy/proxy_config.h"

namespace sluice {
namespace {

// Longer ids are the client's business, not ours to forward as the
// exchange's identity (ingress-nginx's $req_id is 32 hex digits).
constexpr std::size_t max_request_id_bytes = 200;

}  // namespace

Exchange::Exchange(ExchangeServices services, const ConnectionFacts& connection)
    : services_(services), connection_(connection), retry_(services.retry_policy) {
  request_id_.reserve(64);
  cors_origin_.reserve(64);
  record_.tls = connection.tls;
  timeouts_ = {services.config.upstream_connect_timeout, services.config.upstream_read_timeout,
               services.config.upstream_read_timeout};
  client_ip_ = connection_.client_ip;
}

Exchange::~Exchange() { release_limits(); }

void Exchange::reset() {
  snapshot_ = {};
  // begin() writes the whole decision; until then nothing may point into
  // the snapshot just unpinned.
  decision_.match = {};
  decision_.policy = nullptr;
  request_id_.clear();
  generated_id_ = false;
  request_edits_.reset();
  response_edits_.reset();
  cors_origin_.clear();
  backend_state_ = nullptr;
  endpoint_ = 0;
  pick_.tried.clear();
  retry_ = RetryState(services_.retry_policy);
  timeouts_ = {services_.config.upstream_connect_timeout, services_.config.upstream_read_timeout,
               services_.config.upstream_read_timeout};
  release_limits();
  record_.reset();
  client_ip_ = connection_.client_ip;
}

// The wall clock only serves the access log's timestamps: without one, the
// request costs no read of it.
void Exchange::mark_start() {
  record_.start = std::chrono::steady_clock::now();
  if (services_.wall_clock) record_.start_wall = std::chrono::system_clock::now();
}

std::string_view Exchange::ensure_request_id() {
  if (request_id_.empty()) {
    services_.request_ids.next(request_id_);
    generated_id_ = true;
  }
  return request_id_;
}

const Decision& Exchange::begin(const RequestView& request, const RequestFacts& facts) {
  if (!facts.request_id.empty() && facts.request_id.size() <= max_request_id_bytes) {
    request_id_.assign(facts.request_id);
  } else {
    ensure_request_id();
  }
  record_.method = facts.method_name;
  record_.http_minor = facts.http_minor;
  record_.user_agent.assign(facts.user_agent);
  record_.referer.assign(facts.referer);
  record_.target.assign(request.target);
  record_.host.assign(request.host);

  // Route on the snapshot this worker holds now; the exchange keeps it.
  // Pinning is a plain count, so a request decide() refuses before
  // routing costs nothing by it.
  snapshot_ = services_.slot.pin();
  const RouteTable* table = snapshot_ ? &snapshot_.table() : nullptr;
  // The real-IP rules run first, as nginx's realip module does in its
  // post-read phase: every later phase sees the client they name.
  ConnectionFacts seen = connection_;
  if (table && table->settings().client_address.real_ip) {
    seen.client_ip = real_client_address(table->settings().client_address, connection_.client_ip, request.headers,
                                         client_text_);
    // The allow and deny lists and the rate limits judge that client too
    // (nginx's $remote_addr and $binary_remote_addr after realip).
    seen.client_address = parse_client_address(seen.client_ip).value_or(ClientAddress{});
    if (auto key = parse_ip_address(seen.client_ip)) seen.client_key = key->bytes;
  }
  // use-forwarded-headers: $pass_access_scheme is the client's
  // X-Forwarded-Proto, which is what ssl-redirect asks (lua_ingress.lua).
  if (table && table->settings().client_address.use_forwarded_headers && request.headers) {
    const ForwardedView forwarded = read_forwarded(*request.headers);
    if (forwarded.has_proto) seen.tls = forwarded.proto != "http";
  }
  client_ip_ = seen.client_ip;
  decision_ = decide(request, table, seen);
  record_.route = decision_.match.route;
  record_.backend = decision_.match.backend;
  if (decision_.policy) {
    request_edits_.reset(decision_.policy->headers.request);
    if (decision_.policy->upstream) apply_route_upstream(*decision_.policy);
    // One branch for a route without limits. After the redirects, as
    // nginx's preaccess phase follows its rewrite phase.
    if (decision_.policy->rate_limit && decision_.verdict.kind == VerdictKind::continue_)
      apply_rate_limit(*decision_.policy->rate_limit, seen.client_key);
  }
  cors_origin_.assign(decision_.cors_allow_origin);
  return decision_;
}

void Exchange::apply_route_upstream(const RoutePolicy& policy) {
  const UpstreamPolicy& u = *policy.upstream;
  route_retry_ = RetryPolicy::from(u);
  retry_ = RetryState(route_retry_);
  timeouts_ = {u.connect_timeout, u.send_timeout, u.read_timeout};
}

// The worker's buckets, on the coarse clock (nginx reads its own cached
// millisecond clock too).
void Exchange::apply_rate_limit(const RateLimitPolicy& policy, const std::array<std::uint8_t, 16>& client) {
  if (!services_.rate_limiter) return;
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(coarse_steady_now().time_since_epoch());
  const ProxyError e = services_.rate_limiter->admit(policy, client, now.count(), limit_held_);
  if (e != ProxyError::none) decision_.verdict = Verdict::respond(Phase::access, e);
}

// nginx.tmpl's more_set_headers: the fields replace the backend's.
void Exchange::add_cors_fields(FieldEdits& edits) const {
  if (cors_origin_.empty() || !decision_.policy || !decision_.policy->cors) return;
  edits.add_list(decision_.policy->cors->fields);
  edits.add(HeaderEditOp::set, "Access-Control-Allow-Origin", cors_origin_);
}

const FieldEdits& Exchange::local_reply_edits(ProxyError error) {
  response_edits_.reset();
  add_cors_fields(response_edits_);
  if (error == ProxyError::unauthorized && decision_.policy && decision_.policy->basic_auth)
    response_edits_.add(HeaderEditOp::set, "WWW-Authenticate", decision_.policy->basic_auth->challenge);
  return response_edits_;
}

const FieldEdits& Exchange::response_edits() {
  response_edits_.reset(decision_.policy ? std::span<const HeaderEdit>(decision_.policy->headers.response)
                                         : std::span<const HeaderEdit>());
  add_cors_fields(response_edits_);
  const ProxySettings* settings = snapshot_ ? &snapshot_.table().settings() : nullptr;
  apply_hsts(decision_.policy, connection_.tls, default_hsts(settings, services_.config.hsts), response_edits_,
             hsts_value_);
  return response_edits_;
}

void Exchange::finish(int status) {
  release_limits();
  record_.status = status;
  record_.end = std::chrono::steady_clock::now();
  record_.client_ip = client_ip_;
  record_.request_id = request_id_;
  services_.observer.observe(record_);
  record_.route = nullptr;  // the snapshot is unpinned after this exchange
  record_.backend = nullptr;
}

void Exchange::finish_local(ProxyError error) {
  record_.error = error;
  finish(status_for(error));
}

}  // namespace sluice
