// Exchange: the version-neutral side of one request; see exchange.h.
#include "proxy/http/exchange.h"

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
}

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
  record_.reset();
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
  decision_ = decide(request, snapshot_ ? &snapshot_.table() : nullptr, connection_);
  record_.route = decision_.match.route;
  record_.backend = decision_.match.backend;
  if (decision_.policy) {
    request_edits_.reset(decision_.policy->headers.request);
  }
  cors_origin_.assign(decision_.cors_allow_origin);
  return decision_;
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
  apply_hsts(decision_.policy, connection_.tls, services_.config.hsts, response_edits_, hsts_value_);
  return response_edits_;
}

void Exchange::finish(int status) {
  record_.status = status;
  record_.end = std::chrono::steady_clock::now();
  record_.client_ip = connection_.client_ip;
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
