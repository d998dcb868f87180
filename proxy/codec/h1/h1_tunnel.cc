// H1ServerConnection, upgraded connections (101 Switching Protocols):
// bytes copied both ways until either side closes.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "proxy/codec/h1/h1_server_connection.h"
#include "proxy/server/worker.h"

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// A tunnel is one exchange that lasts: its bytes both ways count in the
// request and response sizes, and its log line and metrics are written when
// it closes, with its lifetime as the request time (nginx logs a WebSocket
// the same way). It ends when either side closes, or when no byte went
// either way for --tunnel-idle-timeout (HAProxy's `timeout tunnel`).
asio::awaitable<void> H1ServerConnection::tunnel() {
  using namespace asio::experimental::awaitable_operators;
  auto& stats = worker_.mutable_stats();
  WorkerStats::bump(stats.tunnels);
  WorkerStats::bump(stats.tunnels_active);
  ByteBuffer& in = transport_.in();
  auto& record = exchange_.record();
  in.consume(parse_pos_ - in.begin());  // bytes after the request are the client's first frames
  in.grow(DownstreamTransport::stream_buffer_bytes);
  upstream_.buffer().grow(DownstreamTransport::stream_buffer_bytes);
  auto& up = upstream_.socket();
  if (transport_.tls()) {
    auto& tls = transport_.tls_stream();
    co_await (copy_stream(tls, up, in, record.request_bytes) &&
              copy_stream(up, tls, upstream_.buffer(), record.response_bytes));
  } else {
    auto& down = transport_.socket();
    co_await (copy_stream(down, up, in, record.request_bytes) &&
              copy_stream(up, down, upstream_.buffer(), record.response_bytes));
  }
  if (transport_.timed_out() || transport_.upstream_timed_out()) WorkerStats::bump(stats.tunnel_idle_timeouts);
  WorkerStats::bump(stats.tunnels_active, -1);
  release_upstream(false);
  exchange_.finish(record.upstream_status);
}

// Each read, either way, moves both deadlines: the tunnel is idle only when
// neither side sends.
template <typename From, typename To>
asio::awaitable<void> H1ServerConnection::copy_stream(From& from, To& to, ByteBuffer& buffer,
                                                        std::uint64_t& bytes) {
  const auto idle = worker_.config().tunnel_idle_timeout;
  for (;;) {
    if (buffer.readable() > 0) {
      auto [wec, w] = co_await asio::async_write(to, asio::buffer(buffer.read_ptr(), buffer.readable()), use_tuple);
      bytes += w;
      if (wec) break;
      buffer.consume(w);
    }
    buffer.compact();
    transport_.set_deadline(idle);
    transport_.set_upstream_deadline(idle);
    auto [ec, n] = co_await from.async_read_some(asio::buffer(buffer.write_ptr(), buffer.writable()), use_tuple);
    if (ec) break;
    buffer.commit(n);
  }
  boost::system::error_code ignored;
  if constexpr (std::is_same_v<To, tcp::socket>) to.shutdown(tcp::socket::shutdown_send, ignored);
  else to.next_layer().shutdown(tcp::socket::shutdown_send, ignored);
}

}  // namespace sluice
