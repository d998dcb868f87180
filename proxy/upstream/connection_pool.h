// Idle keep-alive connections to backends, per worker, by UpstreamKey
// (endpoint, protocol, TLS).
#pragma once

#include <cstddef>
#include <memory>
#include <unordered_map>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "proxy/upstream/upstream_connection.h"
#include "proxy/upstream/upstream_key.h"

namespace sluice {

// worker-confined. No locks: each worker has its own pool.
class ConnectionPool {
 public:
  explicit ConnectionPool(std::size_t max_idle_per_endpoint) : max_idle_(max_idle_per_endpoint) {}

  // An idle connection for `key`, or null. With `verify`, one the backend
  // has not closed (a non-blocking peek: one syscall); without, the caller
  // must be able to retry on a fresh connection if the backend closed it.
  std::unique_ptr<UpstreamConnection> take(const UpstreamKey& key, bool verify);
  // Keeps `c` for reuse (or closes it when the endpoint has enough idle ones).
  void give_back(std::unique_ptr<UpstreamConnection> c);
  // Drops idle connections whose backend closed them.
  void sweep();
  void close_all() { idle_.clear(); }
  std::size_t idle_count() const;

 private:
  std::size_t max_idle_;
  std::unordered_map<UpstreamKey, std::vector<std::unique_ptr<UpstreamConnection>>, UpstreamKeyHash> idle_;
};

}  // namespace sluice
