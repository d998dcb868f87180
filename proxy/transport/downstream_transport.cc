// DownstreamTransport: the connection layer; see downstream_transport.h.
#include "proxy/transport/downstream_transport.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proxy/server/worker_stats.h"

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

DownstreamTransport::DownstreamTransport(tcp::socket socket, asio::ssl::context* tls, WorkerStats& stats)
    : socket_(std::move(socket)), stats_(stats), in_(initial_buffer_bytes), watchdog_timer_(socket_.get_executor()) {
  socket_.set_option(tcp::no_delay(true), ignored_);
  if (tls) tls_.emplace(socket_, *tls);
  WorkerStats::bump(*state_counter(state_));
}

DownstreamTransport::~DownstreamTransport() {
  if (auto* counter = state_counter(state_)) WorkerStats::bump(*counter, -1);
}

// "writing" has no counter of its own: it is the active connections in
// neither of the other states.
std::atomic<std::uint64_t>* DownstreamTransport::state_counter(State s) {
  switch (s) {
    case State::waiting: return &stats_.connections_waiting;
    case State::reading: return &stats_.connections_reading;
    default: return nullptr;
  }
}

void DownstreamTransport::enter(State next) {
  if (next == state_) return;
  if (auto* counter = state_counter(state_)) WorkerStats::bump(*counter, -1);
  if (auto* counter = state_counter(next)) WorkerStats::bump(*counter);
  state_ = next;
}

void DownstreamTransport::close() {
  if (closed_) return;
  closed_ = true;
  socket_.close(ignored_);  // sends the FIN; a shutdown(2) first would only cost a system call
  upstream_ = nullptr;      // the codec closes its upstream connection itself
  watchdog_timer_.cancel();
}

asio::awaitable<boost::system::error_code> DownstreamTransport::handshake(std::chrono::milliseconds timeout) {
  set_deadline(timeout);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, asio::as_tuple(asio::use_awaitable));
  co_return ec;
}

WriteResult DownstreamTransport::write_tls(std::array<asio::const_buffer, 2> buffers) {
  co_return co_await WriteAll<tcp::socket, TlsStream>{&socket_, &*tls_, buffers};
}

asio::awaitable<void> DownstreamTransport::watchdog() {
  while (!closed_) {
    watchdog_expiry_ = std::min(deadline_, upstream_deadline_);
    watchdog_timer_.expires_at(watchdog_expiry_);
    co_await watchdog_timer_.async_wait(asio::as_tuple(asio::use_awaitable));
    if (closed_) break;
    // The timer fired at or after watchdog_expiry_ by steady_clock, so the
    // earlier deadline is due whichever clock computed it (deadlines use the
    // coarse one): each wake-up either times one out or re-arms for later.
    const auto now = clock::now();
    if (deadline_ <= now) {
      deadline_ = clock::time_point::max();
      timed_out_ = true;
      socket_.cancel(ignored_);
    }
    if (upstream_deadline_ <= now) {
      upstream_deadline_ = clock::time_point::max();
      upstream_timed_out_ = true;
      if (upstream_) upstream_->cancel(ignored_);
    }
  }
}

}  // namespace sluice
