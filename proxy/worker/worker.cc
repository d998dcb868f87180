// Worker: the accept loop and the thread's lifecycle.
#include "proxy/worker/worker.h"

#include <boost/asio/post.hpp>

#include "common/log.h"
#include "proxy/http/downstream_connection.h"

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Worker::Worker(unsigned index, const ProxyConfig& config)
    : index_(index),
      config_(config),
      pool_(config.idle_upstreams_per_endpoint) {}

Worker::~Worker() {
  stop();
  join();
}

void Worker::listen(tcp::acceptor acceptor) {
  listen_port_ = std::to_string(acceptor.local_endpoint().port());
  acceptor_ = std::make_unique<tcp::acceptor>(std::move(acceptor));
}

void Worker::listen_tls(tcp::acceptor acceptor, asio::ssl::context& tls) {
  tls_port_ = std::to_string(acceptor.local_endpoint().port());
  tls_acceptor_ = std::make_unique<tcp::acceptor>(std::move(acceptor));
  tls_ = &tls;
}

void Worker::start() {
  if (acceptor_) accept_next(*acceptor_, nullptr);
  if (tls_acceptor_) accept_next(*tls_acceptor_, tls_);
  schedule_sweep();
  thread_ = std::thread([this] {
    try {
      context_.run();
    } catch (const std::exception& e) {
      log::error("worker stopped by an exception", {{"worker", std::to_string(index_)}, {"error", e.what()}});
    }
  });
}

void Worker::join() {
  if (thread_.joinable()) thread_.join();
}

void Worker::stop() { context_.stop(); }

void Worker::accept(std::shared_ptr<const RouteTable> table, std::function<void()> applied) {
  asio::post(context_, [this, t = std::move(table), done = std::move(applied)]() mutable {
    metrics_.on_snapshot(*t);
    slot_.replace(std::move(t));
    done();
  });
}

void Worker::drain() {
  asio::post(context_, [this] {
    draining_ = true;
    boost::system::error_code ignored;
    if (acceptor_) acceptor_->close(ignored);
    if (tls_acceptor_) tls_acceptor_->close(ignored);
    sweep_timer_.cancel();
    pool_.close_all();
    // Copy: closing may remove connections from the set.
    std::vector<DownstreamConnection*> open(connections_.begin(), connections_.end());
    for (auto* c : open) c->close_if_idle();
  });
}

void Worker::accept_next(tcp::acceptor& acceptor, asio::ssl::context* tls) {
  if (!acceptor.is_open()) return;
  // The peer address comes with accept(2) itself: no getpeername(2) per connection.
  tcp::endpoint& peer = tls ? tls_peer_ : peer_;
  acceptor.async_accept(peer, [this, &acceptor, &peer, tls](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      WorkerStats::bump(stats_.connections_accepted);
      std::make_shared<DownstreamConnection>(*this, std::move(socket), peer, tls)->start();
    } else {
      log::debug("accept failed", {{"error", ec.message()}});
    }
    accept_next(acceptor, tls);
  });
}

void Worker::schedule_sweep() {
  sweep_timer_.expires_after(std::chrono::seconds(5));
  sweep_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || draining_) return;
    pool_.sweep();
    schedule_sweep();
  });
}

// The log phase: counters, then the access-log line. Neither waits for
// anything nor touches memory another worker writes.
void Worker::observe(const ExchangeRecord& record) {
  WorkerStats::bump(stats_.requests);
  WorkerStats::bump(stats_.responses_by_class[record.status / 100 % 6]);
  metrics_.observe(record);
  if (access_log_) access_log_->log(record);
}

void Worker::add(DownstreamConnection* c) {
  connections_.insert(c);
  WorkerStats::bump(stats_.connections_active);
}

void Worker::remove(DownstreamConnection* c) {
  connections_.erase(c);
  WorkerStats::bump(stats_.connections_active, -1);
}

}  // namespace sluice
