// DownstreamConnection, upstream side: the endpoint pick, pooled connections,
// ExternalName resolution and connecting.
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

// Picks the exchange's first endpoint (round robin) and, when `pooled`, takes
// an idle connection to it. Not a coroutine: the common case never waits.
// A request that can be sent again skips the liveness check of pooled
// connections: a stale one costs a retry instead of a syscall per request.
bool DownstreamConnection::reuse_pooled_upstream(const Backend& backend, std::uint32_t backend_index,
                                                 const SnapshotSlot::Ref& snapshot, bool pooled) {
  record_.upstream_start = clock::now();
  const tcp::endpoint* peer = nullptr;
  if (backend.is_external()) {
    const auto* addresses = worker_.dns().find(backend.external_name, backend.external_port, record_.upstream_start);
    if (!addresses) return false;  // connect_upstream resolves it
    peer = &addresses->front();
    record_.upstream_address = resolved_address_ = to_string(*peer);
  } else {
    const auto count = static_cast<std::uint32_t>(backend.endpoints.size());
    first_endpoint_ = snapshot.next_index(backend_index, count);
    const Endpoint& endpoint = backend.endpoints[first_endpoint_];
    peer = &endpoint.address;
    record_.upstream_address = endpoint.name;
  }
  return pooled && take_pooled(*peer);
}

bool DownstreamConnection::take_pooled(const tcp::endpoint& peer) {
  auto idle = worker_.pool().take(peer, !retry_safe_request());
  if (!idle) return false;
  upstream_ = std::move(idle);
  WorkerStats::bump(worker_.mutable_stats().upstream_reuses);
  return true;
}

// After reuse_pooled_upstream found nothing: resolves an ExternalName not in
// the cache, then connects. A refused connect tries the next endpoint once.
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
  const auto count = static_cast<std::uint32_t>(backend.endpoints.size());
  const std::uint32_t attempts = std::min<std::uint32_t>(count, 2);
  ProxyError error = ProxyError::upstream_connect_failed;
  for (std::uint32_t attempt = 0; attempt < attempts; ++attempt) {
    const Endpoint& endpoint = backend.endpoints[(first_endpoint_ + attempt) % count];
    record_.upstream_address = endpoint.name;
    if (attempt > 0 && pooled && take_pooled(endpoint.address)) co_return ProxyError::none;
    error = co_await connect_to(endpoint.address);
    if (error == ProxyError::none) co_return error;
  }
  co_return error;
}

asio::awaitable<ProxyError> DownstreamConnection::connect_to(const tcp::endpoint& peer) {
  upstream_ = std::make_unique<UpstreamConnection>(socket_.get_executor());
  upstream_->peer = peer;
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
