// WorkerPool; see worker_pool.h.
#include "proxy/server/worker_pool.h"

#include "proxy/server/listener.h"

namespace sluice {

WorkerPool::WorkerPool(unsigned count, const ProxyConfig& config,
                       const boost::asio::ip::tcp::endpoint& http)
    : http_(http) {
  for (unsigned i = 0; i < count; ++i) {
    auto worker = std::make_unique<Worker>(i, config);
    auto acceptor = open_listener(worker->context(), http_);
    http_ = acceptor.local_endpoint();  // port 0 becomes the real port for the rest
    worker->listen(std::move(acceptor));
    workers_.push_back(std::move(worker));
  }
}

void WorkerPool::listen_tls(const boost::asio::ip::tcp::endpoint& https, boost::asio::ssl::context& tls) {
  https_ = https;
  for (auto& worker : workers_) {
    auto acceptor = open_listener(worker->context(), https_);
    https_ = acceptor.local_endpoint();
    worker->listen_tls(std::move(acceptor), tls);
  }
}

std::vector<SnapshotSink*> WorkerPool::sinks() {
  std::vector<SnapshotSink*> out;
  for (auto& w : workers_) out.push_back(w.get());
  return out;
}

void WorkerPool::start() {
  for (auto& w : workers_) w->start();
}

void WorkerPool::drain() {
  for (auto& w : workers_) w->drain();
}

std::uint64_t WorkerPool::active_connections() const {
  std::uint64_t n = 0;
  for (const auto& w : workers_) n += w->active_connections();
  return n;
}

void WorkerPool::stop() {
  for (auto& w : workers_) w->stop();
  for (auto& w : workers_) w->join();
}

}  // namespace sluice
