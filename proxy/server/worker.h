// One proxy worker: a thread with its own io_context, listening socket,
// snapshot slot, upstream pool and counters. Nothing here is shared with
// another worker.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <unordered_set>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/memory/allocation_counts.h"
#include "common/publish/snapshot_sink.h"
#include "proxy/observe/access_log/access_log.h"
#include "proxy/http/exchange.h"
#include "proxy/http/exchange_record.h"
#include "proxy/observe/metrics/exchange_metrics.h"
#include "proxy/proxy_config.h"
#include "proxy/upstream/backend_runtime.h"
#include "proxy/upstream/connection_pool.h"
#include "proxy/upstream/retry_policy.h"
#include "proxy/upstream/dns_cache.h"
#include "proxy/server/request_id.h"
#include "proxy/server/snapshot_slot.h"
#include "proxy/server/worker_stats.h"

namespace sluice {

class H1ServerConnection;

// worker-confined, except accept() / drain() / start() / join(), which
// post to it from other threads.
class Worker final : public SnapshotSink, public ExchangeObserver {
 public:
  Worker(unsigned index, const ProxyConfig& config);
  ~Worker() override;

  boost::asio::io_context& context() { return context_; }
  // Takes a bound, listening acceptor created on context().
  void listen(boost::asio::ip::tcp::acceptor acceptor);
  // The same for HTTPS: connections handshake with `tls` first.
  void listen_tls(boost::asio::ip::tcp::acceptor acceptor, boost::asio::ssl::context& tls);

  void start();
  void join();
  void accept(std::shared_ptr<const RouteTable> table, std::function<void()> applied) override;
  // Stops accepting, closes idle connections, and lets the rest finish.
  void drain();
  // Stops the event loop whatever is still running.
  void stop();

  std::uint64_t active_connections() const {
    return stats_.connections_active.load(std::memory_order_relaxed);
  }
  const WorkerStats& stats() const { return stats_; }
  // What this worker's thread allocated (zero when counting is not compiled in).
  const alloc::AllocationCounts& allocation_counts() const { return allocation_counts_; }
  // Read by the admin thread at scrape time (see ExchangeMetrics).
  const metrics::ExchangeMetrics& metrics() const { return metrics_; }
  // Before start(): where observe() queues access-log lines (null: none).
  void set_access_log(AccessLogSink* sink) { access_log_ = sink; }
  bool logs_access() const { return access_log_ != nullptr; }

  // Worker-thread side, used by connections.
  const ProxyConfig& config() const { return config_; }
  SnapshotSlot& slot() { return slot_; }
  ConnectionPool& pool() { return pool_; }
  DnsCache& dns() { return dns_; }
  BackendRuntime& backends() { return backends_; }
  // ingress-nginx's proxy-next-upstream defaults, for routes that carry none.
  const RetryPolicy& retry_policy() const { return retry_policy_; }
  WorkerStats& mutable_stats() { return stats_; }
  bool draining() const { return draining_; }
  std::string_view listen_port() const { return listen_port_; }
  std::string_view tls_port() const { return tls_port_; }
  void new_request_id(std::string& out) { request_ids_.next(out); }
  // Called once per finished exchange, on this worker's thread.
  void observe(const ExchangeRecord& record) override;
  // What the exchanges of this worker's connections use (exchange.h).
  ExchangeServices exchange_services() {
    return {slot_, config_, request_ids_, *this, backends_, retry_policy_, logs_access(), &rate_limiter_};
  }
  void add(H1ServerConnection* c);
  void remove(H1ServerConnection* c);

 private:
  // A listening socket and its one pending operation: an accept, or the
  // back-off after accept(2) ran out of file descriptors.
  struct Listener {
    Listener(boost::asio::io_context& context, boost::asio::ip::tcp::acceptor a, boost::asio::ssl::context* t)
        : acceptor(std::move(a)), retry(context), tls(t) {}
    boost::asio::ip::tcp::acceptor acceptor;
    boost::asio::ip::tcp::endpoint peer;  // filled by the pending accept
    boost::asio::steady_timer retry;
    boost::asio::ssl::context* tls;       // null: plain HTTP
    bool pending = false;                 // an accept or a retry is under way
  };

  void accept_next(Listener& l);
  void on_accept(Listener& l, boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  void back_off(Listener& l, const boost::system::error_code& ec);
  void resume_accepting();
  void schedule_sweep();

  unsigned index_;
  const ProxyConfig& config_;
  // Declared before context_ so that they outlive it: destroying the
  // context destroys the connections its handlers still own, and each
  // removes itself from the set and the counters.
  WorkerStats stats_;
  alloc::AllocationCounts allocation_counts_;  // the thread counts into it until it ends
  std::unordered_set<H1ServerConnection*> connections_;
  // limit-rps/rpm/connections buckets of this worker's clients; exchanges
  // give their counts back when they end, so it outlives them too.
  RateLimiter rate_limiter_;
  bool at_max_connections_ = false;  // accepting paused by --max-connections
  bool stopping_ = false;            // the destructor runs: accept nothing
  // One thread runs it; other threads only post (snapshots, drain), so the
  // reactor's per-socket locks can go while the scheduler keeps its own.
  boost::asio::io_context context_{BOOST_ASIO_CONCURRENCY_HINT_UNSAFE_IO};
  std::unique_ptr<Listener> http_;
  std::unique_ptr<Listener> https_;
  std::chrono::steady_clock::time_point fd_warning_at_{};  // the last "out of file descriptors" line
  std::uint64_t fd_failures_unlogged_ = 0;                  // since that line
  boost::asio::steady_timer sweep_timer_{context_};
  std::thread thread_;
  SnapshotSlot slot_;
  ConnectionPool pool_;
  DnsCache dns_;
  BackendRuntime backends_;
  RetryPolicy retry_policy_;
  metrics::ExchangeMetrics metrics_;
  AccessLogSink* access_log_ = nullptr;
  std::string listen_port_;
  std::string tls_port_;
  RequestIdGenerator request_ids_;
  bool draining_ = false;
};

}  // namespace sluice
