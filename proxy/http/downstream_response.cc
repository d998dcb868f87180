// DownstreamConnection, response side: the response head and body relayed to
// the client, interim responses, and upgraded connections (tunnels).
#include "proxy/http/downstream_connection.h"

#include <cstring>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/write.hpp>

#include "common/log.h"
#include "proxy/http/downstream_connection_detail.h"
#include "proxy/codec/h1/header_rewrite.h"
#include "proxy/server/worker.h"

namespace sluice {

using namespace downstream_detail;

// Sends `request_start` when it is not empty, then relays the response.
// The common case, a final response whose body came with its head, stays in
// this frame; interim responses and longer bodies have coroutines of their
// own. Every local that lives across a co_await takes room in the frame, and
// a frame over 1,020 bytes is not recycled by Asio: it costs a malloc and a
// free per request.
// The rewritten head and the body bytes already read, as one buffer when the
// head fits where the backend's head was (it usually does: hop-by-hop fields
// go, none come): one send(2) then, where two pieces cost a sendmsg(2) that
// the kernel handles measurably slower. Nothing reads the backend's head
// after this.
std::array<asio::const_buffer, 2> DownstreamConnection::response_start(ByteBuffer& ub, std::size_t body_from,
                                                                       std::size_t body_end) {
  const std::size_t head_size = downstream_head_.size();
  if (head_size > body_from - ub.begin())
    return {asio::buffer(downstream_head_), asio::buffer(ub.data() + body_from, body_end - body_from)};
  char* head = ub.data() + body_from - head_size;
  std::memcpy(head, downstream_head_.data(), head_size);
  return {asio::buffer(head, head_size + body_end - body_from), {}};
}

asio::awaitable<DownstreamConnection::Relay> DownstreamConnection::relay_response(
    bool head_method, bool upgrade, std::array<asio::const_buffer, 2> request_start) {
  Relay r;
  const auto& cfg = worker_.config();
  if (request_start[0].size() != 0) {
    set_upstream_deadline(cfg.upstream_read_timeout);
    auto [ec, n] = co_await write_upstream(request_start);
    if (ec) {
      r.error = upstream_timed_out_ ? ProxyError::upstream_timeout : ProxyError::upstream_reset;
      co_return r;
    }
  }
  ByteBuffer& ub = upstream_->buffer;
  for (;;) {  // once per response message: 1xx interim responses loop
    response_parser_.start_message();
    response_parser_.set_response_to_head(head_method);
    ub.compact();
    std::size_t pos = ub.begin();
    ParseStatus status = ParseStatus::need_more;
    while (status == ParseStatus::need_more) {
      if (pos < ub.end()) {
        std::size_t consumed = 0;
        status = response_parser_.execute(ub.data(), pos, ub.end(), consumed);
        pos += consumed;
        if (status != ParseStatus::need_more) break;
      }
      if (ub.writable() == 0) {
        if (ub.capacity() >= max_response_head_bytes) status = ParseStatus::error;
        else ub.grow(std::max(ub.capacity() * 2, UpstreamConnection::initial_buffer));
        if (status == ParseStatus::error) break;
      }
      set_upstream_deadline(cfg.upstream_read_timeout);
      auto [ec, n] = co_await read_upstream(asio::buffer(ub.write_ptr(), ub.writable()));
      if (ec) {
        r.error = upstream_timed_out_ ? ProxyError::upstream_timeout : ProxyError::upstream_reset;
        if (!request_body_done_) socket_.cancel(ignored_);
        co_return r;
      }
      r.got_bytes = true;
      ub.commit(n);
    }
    if (status == ParseStatus::error) {
      r.error = ProxyError::upstream_bad_response;
      co_return r;
    }
    const MessageHead& h = response_parser_.head();
    if (h.status >= 100 && h.status < 200 && h.status != 101) {
      if (!co_await relay_interim(pos, r)) co_return r;
      continue;
    }
    // A 101 the client did not ask for would turn its connection into a
    // tunnel it does not know about: the backend is broken, not switching.
    if (h.status == 101 && !upgrade) {
      r.error = ProxyError::upstream_bad_response;
      co_return r;
    }
    record_.upstream_header = clock::now();
    record_.upstream_status = h.status;
    r.tunnel = h.status == 101 && upgrade;
    const bool until_close = status == ParseStatus::head_complete && !h.chunked &&
                             !(h.content_length > 0);
    const auto& req = request_parser_.head();
    r.downstream_close = until_close || last_request_ || req.connection_close || worker_.draining() ||
                         (req.http_minor == 0 && !req.connection_keep_alive) ||
                         !request_parser_.keep_alive();
    ResponseFacts facts{r.downstream_close && !r.tunnel, req.http_minor == 0 && !r.downstream_close, r.tunnel};
    build_downstream_head(downstream_head_, h, ub.data(), h.reason.in(ub.data()), facts);
    if (tls_ && cfg.hsts) {
      static constexpr std::string_view hsts = "Strict-Transport-Security: max-age=31536000; includeSubDomains\r\n";
      downstream_head_.insert(downstream_head_.size() - 2, hsts);
    }

    std::size_t body_from = pos;
    if (status == ParseStatus::head_complete && !r.tunnel) {
      std::size_t consumed = 0;
      status = response_parser_.execute(ub.data(), pos, ub.end(), consumed);
      if (status == ParseStatus::error) { r.error = ProxyError::upstream_bad_response; co_return r; }
      pos += consumed;
    }
    set_downstream_deadline(cfg.downstream_write_timeout);
    auto [wec, wn] = co_await write_downstream(response_start(ub, body_from, pos));
    record_.response_bytes += wn;
    r.response_started = true;
    if (wec) { r.error = ProxyError::upstream_reset; co_return r; }
    ub.consume(pos - ub.begin());
    if (r.tunnel) co_return r;

    if (status != ParseStatus::message_complete && !co_await stream_response_body(r)) co_return r;
    upstream_deadline_ = clock::time_point::max();
    r.upstream_reusable = !until_close && response_parser_.keep_alive() && ub.readable() == 0;
    // The backend answered before the body was all sent: stop reading it.
    if (!request_body_done_) {
      r.downstream_close = true;
      socket_.cancel(ignored_);
    }
    co_return r;
  }
}

// An interim response (100 Continue, 103 Early Hints) ending at `head_end`
// in the upstream buffer: passed on as received. False when that failed.
asio::awaitable<bool> DownstreamConnection::relay_interim(std::size_t head_end, Relay& r) {
  ByteBuffer& ub = upstream_->buffer;
  set_downstream_deadline(worker_.config().downstream_write_timeout);
  auto [ec, n] = co_await write_downstream({asio::buffer(ub.read_ptr(), head_end - ub.begin()), {}});
  if (ec) {
    r.error = ProxyError::upstream_reset;
    co_return false;
  }
  ub.consume(head_end - ub.begin());
  co_return true;
}

// The rest of a response body that did not come with its head, one buffer
// at a time: the next read from the backend starts only when the last bytes
// reached the client. False when that failed (r.error says how).
asio::awaitable<bool> DownstreamConnection::stream_response_body(Relay& r) {
  const auto& cfg = worker_.config();
  ByteBuffer& ub = upstream_->buffer;
  ub.grow(stream_buffer_bytes);
  for (ParseStatus status = ParseStatus::need_more; status != ParseStatus::message_complete;) {
    ub.compact();
    const std::size_t pos = ub.begin();
    set_upstream_deadline(cfg.upstream_read_timeout);
    auto [ec, n] = co_await read_upstream(asio::buffer(ub.write_ptr(), ub.writable()));
    if (ec == asio::error::eof && response_parser_.finish()) break;  // body ended by close
    if (ec) {
      r.error = upstream_timed_out_ ? ProxyError::upstream_timeout : ProxyError::upstream_reset;
      co_return false;
    }
    ub.commit(n);
    std::size_t consumed = 0;
    status = response_parser_.execute(ub.data(), pos, ub.end(), consumed);
    if (status == ParseStatus::error) {
      r.error = ProxyError::upstream_bad_response;
      co_return false;
    }
    set_downstream_deadline(cfg.downstream_write_timeout);
    auto [dec, dn] = co_await write_downstream({asio::buffer(ub.data() + pos, consumed), {}});
    record_.response_bytes += dn;
    if (dec) {
      r.error = ProxyError::upstream_reset;
      co_return false;
    }
    ub.consume(consumed);
  }
  co_return true;
}

// --- upgraded connections ---------------------------------------------------

// A tunnel is one exchange that lasts: its bytes both ways count in the
// request and response sizes, and its log line and metrics are written when
// it closes, with its lifetime as the request time (nginx logs a WebSocket
// the same way). It ends when either side closes, or when no byte went
// either way for --tunnel-idle-timeout (HAProxy's `timeout tunnel`).
asio::awaitable<void> DownstreamConnection::tunnel() {
  using namespace asio::experimental::awaitable_operators;
  auto& stats = worker_.mutable_stats();
  WorkerStats::bump(stats.tunnels);
  WorkerStats::bump(stats.tunnels_active);
  in_.consume(parse_pos_ - in_.begin());  // bytes after the request are the client's first frames
  in_.grow(stream_buffer_bytes);
  upstream_->buffer.grow(stream_buffer_bytes);
  if (tls_) {
    co_await (copy_stream(*tls_, upstream_->socket, in_, record_.request_bytes) &&
              copy_stream(upstream_->socket, *tls_, upstream_->buffer, record_.response_bytes));
  } else {
    co_await (copy_stream(socket_, upstream_->socket, in_, record_.request_bytes) &&
              copy_stream(upstream_->socket, socket_, upstream_->buffer, record_.response_bytes));
  }
  if (downstream_timed_out_ || upstream_timed_out_) WorkerStats::bump(stats.tunnel_idle_timeouts);
  WorkerStats::bump(stats.tunnels_active, -1);
  release_upstream(false);
  complete_exchange(record_.upstream_status);
}

// Each read, either way, moves both deadlines: the tunnel is idle only when
// neither side sends.
template <typename From, typename To>
asio::awaitable<void> DownstreamConnection::copy_stream(From& from, To& to, ByteBuffer& buffer,
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
    set_downstream_deadline(idle);
    set_upstream_deadline(idle);
    auto [ec, n] = co_await from.async_read_some(asio::buffer(buffer.write_ptr(), buffer.writable()), use_tuple);
    if (ec) break;
    buffer.commit(n);
  }
  boost::system::error_code ignored;
  if constexpr (std::is_same_v<To, tcp::socket>) to.shutdown(tcp::socket::shutdown_send, ignored);
  else to.next_layer().shutdown(tcp::socket::shutdown_send, ignored);
}


}  // namespace sluice
