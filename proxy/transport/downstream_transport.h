// The connection layer of a client connection: the socket, TLS, the read
// buffer, the deadlines and their watchdog, and the connection-state
// gauges. It knows nothing of HTTP; the codec on top of it does.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "common/coarse_clock.h"
#include "proxy/transport/byte_buffer.h"
#include "proxy/transport/immediate_write.h"
#include "proxy/transport/stream_ops.h"

namespace sluice {

struct WorkerStats;

// worker-confined; owned by the codec's connection object.
class DownstreamTransport {
 public:
  using clock = std::chrono::steady_clock;
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;
  using Read = ReadSome<boost::asio::ip::tcp::socket, TlsStream>;

  // nginx's states (its stub_status module's), for the connection gauges
  // and for draining: a waiting connection has no byte of a request yet.
  enum class State : std::uint8_t { waiting, reading, writing };

  // Small enough that an idle keep-alive connection costs little (nginx's
  // client_header_buffer_size is 1k); a longer head grows it once per
  // connection, and body streaming grows it once to stream_buffer_bytes.
  static constexpr std::size_t initial_buffer_bytes = 2 * 1024;
  static constexpr std::size_t stream_buffer_bytes = 64 * 1024;

  DownstreamTransport(boost::asio::ip::tcp::socket socket, boost::asio::ssl::context* tls, WorkerStats& stats);
  ~DownstreamTransport();
  DownstreamTransport(const DownstreamTransport&) = delete;
  DownstreamTransport& operator=(const DownstreamTransport&) = delete;

  bool tls() const { return tls_.has_value(); }
  TlsStream& tls_stream() { return *tls_; }
  boost::asio::ip::tcp::socket& socket() { return socket_; }
  ByteBuffer& in() { return in_; }
  bool closed() const { return closed_; }
  State state() const { return state_; }
  void enter(State next);

  // The handshake, bounded by `timeout`; how it failed, or no error.
  boost::asio::awaitable<boost::system::error_code> handshake(std::chrono::milliseconds timeout);
  // Reads are not coroutines: each returns an operation that co_await starts
  // from the calling coroutine's own frame (see stream_ops.h).
  Read read(boost::asio::mutable_buffer b) { return {&socket_, tls_ ? &*tls_ : nullptr, b}; }
  // Plain TCP writes try one send(2) first (immediate_write.h); TLS writes
  // are operations on the stream.
  WriteResult write(std::array<boost::asio::const_buffer, 2> buffers) {
    if (!tls_) return write_all(socket_, buffers);
    return write_tls(buffers);
  }
  // Cancels the pending read or write (a deadline or the other side gave up).
  void cancel() { socket_.cancel(ignored_); }
  void close();

  // Deadlines read the coarse clock: they are seconds away, and a precise
  // reading costs more than the rest of setting one. One a tick early is
  // still compared with steady_clock by the timer and the watchdog alike.
  // Moving a deadline later costs an assignment; only a deadline earlier
  // than the armed expiry re-arms the timer.
  void set_deadline(std::chrono::milliseconds d) {
    deadline_ = coarse_steady_now() + d;
    arm(deadline_);
  }
  void set_upstream_deadline(std::chrono::milliseconds d) {
    upstream_deadline_ = coarse_steady_now() + d;
    arm(upstream_deadline_);
  }
  void clear_upstream_deadline() { upstream_deadline_ = clock::time_point::max(); }
  bool timed_out() const { return timed_out_; }
  bool upstream_timed_out() const { return upstream_timed_out_; }
  void clear_timeouts() { timed_out_ = upstream_timed_out_ = false; }
  void clear_upstream_timeout() { upstream_timed_out_ = false; }
  // The upstream socket whose deadline the watchdog also keeps (null: none).
  void watch_upstream(boost::asio::ip::tcp::socket* s) { upstream_ = s; }
  // One timer for both deadlines; runs until close().
  boost::asio::awaitable<void> watchdog();

 private:
  WriteResult write_tls(std::array<boost::asio::const_buffer, 2> buffers);
  void arm(clock::time_point deadline) {
    if (deadline < watchdog_expiry_) watchdog_timer_.cancel();
  }
  std::atomic<std::uint64_t>* state_counter(State s);

  boost::asio::ip::tcp::socket socket_;
  std::optional<TlsStream> tls_;
  WorkerStats& stats_;
  ByteBuffer in_;
  boost::asio::steady_timer watchdog_timer_;
  clock::time_point watchdog_expiry_ = clock::time_point::max();
  clock::time_point deadline_ = clock::time_point::max();
  clock::time_point upstream_deadline_ = clock::time_point::max();
  boost::asio::ip::tcp::socket* upstream_ = nullptr;
  bool timed_out_ = false;
  bool upstream_timed_out_ = false;
  bool closed_ = false;
  State state_ = State::waiting;
  // Where the non-throwing socket operations put errors nobody acts on.
  boost::system::error_code ignored_;
};

}  // namespace sluice
