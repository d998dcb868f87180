// DownstreamConnection, request body: the start of the request to send, and
// the rest of its body pumped while the response is relayed.
#include "proxy/http/downstream_connection.h"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "common/log.h"
#include "proxy/http/downstream_connection_detail.h"
#include "proxy/server/worker.h"

namespace sluice {

using namespace downstream_detail;

// The rewritten head plus whatever body bytes are already buffered.
ProxyError DownstreamConnection::prepare_request_start(std::size_t body_from,
                                                       std::array<asio::const_buffer, 2>& out) {
  std::size_t body_to = body_from;
  if (!request_body_done_) {
    std::size_t consumed = 0;
    auto status = request_parser_.execute(in_.data(), body_from, in_.end(), consumed);
    if (status == ParseStatus::error) return parse_error_to_proxy_error(request_parser_.error());
    body_to = body_from + consumed;
    request_body_done_ = status == ParseStatus::message_complete;
  }
  parse_pos_ = body_to;
  out = {asio::buffer(upstream_head_), asio::buffer(in_.data() + body_from, body_to - body_from)};
  return ProxyError::none;
}

// Streams the rest of a request body, bounded by one buffer: the next read
// from the client starts only when the last bytes reached the backend.
asio::awaitable<ProxyError> DownstreamConnection::pump_request_body() {
  const auto& cfg = worker_.config();
  in_.grow(stream_buffer_bytes);
  while (!request_body_done_) {
    in_.consume(parse_pos_ - in_.begin());
    in_.compact();
    parse_pos_ = in_.begin();
    set_downstream_deadline(cfg.client_body_timeout);
    auto [rec, n] = co_await read_downstream(asio::buffer(in_.write_ptr(), in_.writable()));
    if (rec) {
      if (upstream_) upstream_->socket.cancel(ignored_);
      co_return downstream_timed_out_ ? ProxyError::request_timeout : ProxyError::bad_request;
    }
    in_.commit(n);
    std::size_t consumed = 0;
    auto status = request_parser_.execute(in_.data(), parse_pos_, in_.end(), consumed);
    if (status == ParseStatus::error) {
      if (upstream_) upstream_->socket.cancel(ignored_);
      co_return parse_error_to_proxy_error(request_parser_.error());
    }
    request_body_done_ = status == ParseStatus::message_complete;
    set_upstream_deadline(cfg.upstream_read_timeout);
    auto [wec, w] = co_await write_upstream({asio::buffer(in_.data() + parse_pos_, consumed), {}});
    parse_pos_ += consumed;
    if (wec) co_return ProxyError::none;  // the response side reports the backend's failure
  }
  co_return ProxyError::none;
}

// A request whose body is still arriving: the rest of it is pumped while
// the response is relayed. Its own coroutine, so the frames of the common
// path do not carry the operator&& machinery.
asio::awaitable<DownstreamConnection::Relay> DownstreamConnection::relay_while_pumping(bool head_method, bool upgrade,
                                                                                      ProxyError& body_error) {
  using namespace asio::experimental::awaitable_operators;
  const std::array<asio::const_buffer, 2> already_sent{};
  auto [pumped, relayed] = co_await (pump_request_body() && relay_response(head_method, upgrade, already_sent));
  body_error = pumped;
  co_return relayed;
}

}  // namespace sluice
