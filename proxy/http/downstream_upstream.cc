// DownstreamConnection, upstream side: the endpoint pick, pooled connections,
// ExternalName resolution, connecting, and what follows a failed attempt.
#include "proxy/http/downstream_connection.h"

#include <boost/asio/ip/tcp.hpp>

#include "common/log.h"
#include "proxy/http/downstream_connection_detail.h"
#include "proxy/server/listener.h"
#include "proxy/server/worker.h"

namespace sluice {

using namespace downstream_detail;

void DownstreamConnection::release_upstream(bool reusable) {
  if (!upstream_) return;
  upstream_deadline_ = clock::time_point::max();
  if (reusable && !worker_.draining()) {
    worker_.pool().give_back(std::move(upstream_));
  } else {
    boost::system::error_code ec;
    upstream_->socket.close(ec);
    upstream_.reset();
  }
}

// --- upstream side -------------------------------------------------------

// Takes the attempt's endpoint (the first: the load balancer's pick; a
// retry's: next_attempt's) and, when `pooled`, an idle connection to it.
// Not a coroutine: the common case never waits. A request that can be sent
// again skips the liveness check of pooled connections: a stale one costs
// a retry instead of a syscall per request.
bool DownstreamConnection::reuse_pooled_upstream(const Backend& backend, PickContext& pick, bool first,
                                                 bool pooled) {
  record_.upstream_start = pick.now = clock::now();
  const tcp::endpoint* peer = nullptr;
  if (backend.is_external()) {
    const auto* addresses = worker_.dns().find(backend.external_name, backend.external_port, record_.upstream_start);
    if (!addresses) return false;  // connect_upstream resolves it
    peer = &addresses->front();
    record_.upstream_address = resolved_address_ = to_string(*peer);
  } else {
    if (first) {
      // Never empty: route_request answers 503 for a backend without endpoints.
      const auto picked = backend_state_ ? worker_.backends().pick(backend, *backend_state_, pick) : std::nullopt;
      endpoint_index_ = picked ? *picked : 0;
    }
    const Endpoint& endpoint = backend.endpoints[endpoint_index_];
    peer = &endpoint.address;
    record_.upstream_address = endpoint.name;
  }
  return pooled && take_pooled(*peer);
}

// After a failed attempt (run() handles success inline): marks the
// endpoint's health and asks the retry policy whether to try again,
// picking the next endpoint when it says so.
RetryDecision DownstreamConnection::next_attempt(const Backend& backend, const Relay& relay, bool connected,
                                                 bool reused, PickContext& pick, RetryState& retry,
                                                 clock::time_point started) {
  auto& runtime = worker_.backends();
  const bool has_state = backend_state_ && !backend.is_external();
  Error error = upstream_error(relay.error, relay.got_bytes, relay.response_started);
  if (!connected && relay.error == ProxyError::upstream_connect_failed && upstream_timed_out_)
    error = classify(ErrorKind::connect_timeout);
  const auto now = clock::now();
  const AttemptFacts facts{.idempotent = idempotent_request(), .replayable = !request_parser_.head().has_body,
                           .request_sent = connected, .response_started = relay.response_started,
                           .reused = reused, .elapsed = now - started};
  if (has_state && RetryState::marks_endpoint(error, facts)) {
    runtime.report_failure(backend, *backend_state_, endpoint_index_, now);
  } else if (has_state && error.kind == ErrorKind::after_response) {
    runtime.report_success(*backend_state_, endpoint_index_);
  }
  const RetryDecision decision = retry.next(error, facts);
  if (decision != RetryDecision::next_endpoint) return decision;
  if (!has_state) return RetryDecision::stop;  // an ExternalName has one address
  pick.tried.insert(endpoint_index_);
  pick.now = now;
  const auto picked = runtime.pick(backend, *backend_state_, pick);
  if (!picked) return RetryDecision::stop;  // every endpoint was tried
  endpoint_index_ = *picked;
  return decision;
}

bool DownstreamConnection::take_pooled(const tcp::endpoint& peer) {
  auto idle = worker_.pool().take(UpstreamKey{peer}, !retry_safe_request());
  if (!idle) return false;
  upstream_ = std::move(idle);
  WorkerStats::bump(worker_.mutable_stats().upstream_reuses);
  return true;
}

// After reuse_pooled_upstream found nothing: resolves an ExternalName not in
// the cache, then connects. A failure goes to next_attempt like any other.
asio::awaitable<ProxyError> DownstreamConnection::connect_upstream(const Backend& backend, bool pooled) {
  if (backend.is_external()) {
    auto& dns = worker_.dns();
    const auto now = clock::now();
    const auto* addresses = dns.find(backend.external_name, backend.external_port, now);
    if (!addresses) {
      tcp::resolver resolver(socket_.get_executor());
      auto [ec, results] = co_await resolver.async_resolve(
          backend.external_name, std::to_string(backend.external_port), use_tuple);
      if (ec || results.empty()) co_return ProxyError::dns_failed;
      std::vector<tcp::endpoint> resolved;
      for (const auto& r : results) resolved.push_back(r.endpoint());
      dns.remember(backend.external_name, backend.external_port, std::move(resolved), now);
      addresses = dns.find(backend.external_name, backend.external_port, now);
      record_.upstream_address = resolved_address_ = to_string(addresses->front());
      if (pooled && take_pooled(addresses->front())) co_return ProxyError::none;
    }
    co_return co_await connect_to(addresses->front());
  }
  co_return co_await connect_to(backend.endpoints[endpoint_index_].address);
}

asio::awaitable<ProxyError> DownstreamConnection::connect_to(const tcp::endpoint& peer) {
  upstream_ = std::make_unique<UpstreamConnection>(socket_.get_executor());
  upstream_->key = UpstreamKey{peer};  // plain HTTP/1 is all there is yet
  upstream_timed_out_ = false;
  set_upstream_deadline(worker_.config().upstream_connect_timeout);
  auto [ec] = co_await upstream_->socket.async_connect(peer, use_tuple);
  upstream_deadline_ = clock::time_point::max();
  if (ec) {
    WorkerStats::bump(worker_.mutable_stats().upstream_connect_failures);
    log::debug("upstream connect failed", {{"endpoint", peer.address().to_string()}, {"error", ec.message()}});
    upstream_.reset();
    co_return ProxyError::upstream_connect_failed;
  }
  WorkerStats::bump(worker_.mutable_stats().upstream_connects);
  boost::system::error_code ignored;
  upstream_->socket.set_option(tcp::no_delay(true), ignored);
  co_return ProxyError::none;
}

}  // namespace sluice
