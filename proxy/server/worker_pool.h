// The set of workers, their shared listening port, and their lifecycle.
#pragma once

#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "proxy/proxy_config.h"
#include "proxy/server/worker.h"

namespace sluice {

// Created and driven from the main thread.
class WorkerPool {
 public:
  // Binds `http` once per worker; port 0 is resolved by the first bind so
  // every worker listens on the same real port. Throws when binding fails.
  WorkerPool(unsigned count, const ProxyConfig& config, const boost::asio::ip::tcp::endpoint& http);
  // Adds an HTTPS listener on every worker (port 0 resolved the same way).
  void listen_tls(const boost::asio::ip::tcp::endpoint& https, boost::asio::ssl::context& tls);
  boost::asio::ip::tcp::endpoint https_endpoint() const { return https_; }

  boost::asio::ip::tcp::endpoint http_endpoint() const { return http_; }
  std::vector<SnapshotSink*> sinks();
  const std::vector<std::unique_ptr<Worker>>& workers() const { return workers_; }

  void start();
  void drain();
  std::uint64_t active_connections() const;
  void stop();

 private:
  std::vector<std::unique_ptr<Worker>> workers_;
  boost::asio::ip::tcp::endpoint http_;
  boost::asio::ip::tcp::endpoint https_;
};

}  // namespace sluice
