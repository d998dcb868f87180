// Worker: the accept loop and the thread's lifecycle.
#include "proxy/server/worker.h"

#include <cerrno>
#include <cstring>

#include <boost/asio/post.hpp>

#include "common/log.h"
#include "proxy/codec/h1/h1_server_connection.h"

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

Worker::Worker(unsigned index, const ProxyConfig& config)
    : index_(index),
      config_(config),
      pool_(config.idle_upstreams_per_endpoint),
      backends_({config.upstream_max_fails, config.upstream_fail_timeout}, stats_.upstream_health) {}

Worker::~Worker() {
  stop();
  join();
  stopping_ = true;  // the thread is gone: what follows runs here
}

void Worker::listen(tcp::acceptor acceptor) {
  listen_port_ = std::to_string(acceptor.local_endpoint().port());
  http_ = std::make_unique<Listener>(context_, std::move(acceptor), nullptr);
}

void Worker::listen_tls(tcp::acceptor acceptor, asio::ssl::context& tls) {
  tls_port_ = std::to_string(acceptor.local_endpoint().port());
  https_ = std::make_unique<Listener>(context_, std::move(acceptor), &tls);
}

void Worker::start() {
  resume_accepting();
  schedule_sweep();
  thread_ = std::thread([this] {
    alloc::count_this_thread_into(&allocation_counts_);
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
    auto states = backends_.rebase(*t);
    slot_.replace(std::move(t), std::move(states));
    done();
  });
}

void Worker::drain() {
  asio::post(context_, [this] {
    draining_ = true;
    boost::system::error_code ignored;
    for (Listener* l : {http_.get(), https_.get()}) {
      if (!l) continue;
      l->acceptor.close(ignored);
      l->retry.cancel();
    }
    sweep_timer_.cancel();
    pool_.close_all();
    // Copy: closing may remove connections from the set.
    std::vector<H1ServerConnection*> open(connections_.begin(), connections_.end());
    for (auto* c : open) c->close_if_idle();
  });
}

// --- accepting ------------------------------------------------------------
// Each listener has at most one operation pending: an accept, or the retry
// timer after accept(2) ran out of file descriptors.

// HAProxy's delay after EMFILE/ENFILE/ENOBUFS/ENOMEM. Accepting again at
// once would spin a core: Linux fails accept(2) for want of a descriptor
// whether or not a connection waits, and Asio tries it at once. Ten
// attempts a second cost nothing and pick up freed descriptors soon enough.
constexpr auto accept_retry_delay = std::chrono::milliseconds(100);
constexpr auto fd_warning_interval = std::chrono::seconds(1);

void Worker::resume_accepting() {
  if (stopping_) return;  // the listeners may be gone already
  if (http_) accept_next(*http_);
  if (https_) accept_next(*https_);
}

// At --max-connections the worker stops accepting, as HAProxy's maxconn
// does, rather than accepting and closing: new connections wait in the
// kernel's accept queue (then SYN retries once it is full) and are served
// as soon as a connection here ends, so a client sees a slower connect, not
// a reset. Other workers' listeners (SO_REUSEPORT) keep accepting theirs.
void Worker::accept_next(Listener& l) {
  if (l.pending || stopping_ || draining_ || !l.acceptor.is_open()) return;
  if (connections_.size() >= config_.max_connections) {
    if (!at_max_connections_) WorkerStats::bump(stats_.max_connections_reached);
    at_max_connections_ = true;
    return;
  }
  l.pending = true;
  // The peer address comes with accept(2) itself: no getpeername(2) per connection.
  l.acceptor.async_accept(l.peer, [this, &l](boost::system::error_code ec, tcp::socket socket) {
    on_accept(l, ec, std::move(socket));
  });
}

void Worker::on_accept(Listener& l, boost::system::error_code ec, tcp::socket socket) {
  l.pending = false;
  if (ec == asio::error::operation_aborted || !l.acceptor.is_open()) return;
  if (!ec) {
    WorkerStats::bump(stats_.connections_accepted);
    std::make_shared<H1ServerConnection>(*this, std::move(socket), l.peer, l.tls)->start();
  } else if (ec == asio::error::no_descriptors || ec == asio::error::no_buffer_space ||
             ec == asio::error::no_memory || ec.value() == ENFILE) {
    back_off(l, ec);
    return;
  } else {
    log::debug("accept failed", {{"error", ec.message()}});  // ECONNABORTED and the like: the next one
  }
  accept_next(l);
}

// Out of file descriptors (or kernel memory): wait, then try again. Logs
// at most once a second, with how many attempts failed since the last line.
void Worker::back_off(Listener& l, const boost::system::error_code& ec) {
  WorkerStats::bump(stats_.accept_fd_exhausted);
  ++fd_failures_unlogged_;
  const auto now = std::chrono::steady_clock::now();
  if (now - fd_warning_at_ >= fd_warning_interval) {
    // strerror, not ec.message(): accept(2) errors are errno values, and the
    // category's virtual message() is what UBSan's vptr check cannot verify
    // while the process has no descriptor for its probe (a false report).
    log::warn("accept failed, retrying", {{"worker", std::to_string(index_)}, {"error", std::strerror(ec.value())},
                                          {"failures", std::to_string(fd_failures_unlogged_)}});
    fd_warning_at_ = now;
    fd_failures_unlogged_ = 0;
  }
  l.pending = true;
  l.retry.expires_after(accept_retry_delay);
  l.retry.async_wait([this, &l](boost::system::error_code wait_ec) {
    l.pending = false;
    if (!wait_ec) accept_next(l);
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

void Worker::add(H1ServerConnection* c) {
  connections_.insert(c);
  WorkerStats::bump(stats_.connections_active);
}

void Worker::remove(H1ServerConnection* c) {
  connections_.erase(c);
  WorkerStats::bump(stats_.connections_active, -1);
  if (at_max_connections_ && connections_.size() < config_.max_connections) {
    at_max_connections_ = false;
    resume_accepting();
  }
}

}  // namespace sluice
