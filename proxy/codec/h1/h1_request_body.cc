// H1ServerConnection, request body: the start of the request to send, and
// the rest of its body pumped while the response is relayed.
#include "proxy/codec/h1/h1_server_connection.h"

#include <boost/asio/experimental/awaitable_operators.hpp>

#include "common/log.h"
#include "proxy/server/worker.h"

namespace sluice {

namespace asio = boost::asio;

// The rewritten head plus whatever body bytes are already buffered.
ProxyError H1ServerConnection::prepare_request_start(std::size_t body_from,
                                                       std::array<asio::const_buffer, 2>& out) {
  ByteBuffer& in = transport_.in();
  std::size_t body_to = body_from;
  if (!request_body_done_) {
    std::size_t consumed = 0;
    auto status = request_parser_.execute(in.data(), body_from, in.end(), consumed);
    if (status == ParseStatus::error) return parse_error_to_proxy_error(request_parser_.error());
    body_to = body_from + consumed;
    request_body_done_ = status == ParseStatus::message_complete;
  }
  parse_pos_ = body_to;
  out = {asio::buffer(upstream_.request_head()), asio::buffer(in.data() + body_from, body_to - body_from)};
  return ProxyError::none;
}

// Streams the rest of a request body, bounded by one buffer: the next read
// from the client starts only when the last bytes reached the backend.
asio::awaitable<ProxyError> H1ServerConnection::pump_request_body() {
  ByteBuffer& in = transport_.in();
  in.grow(DownstreamTransport::stream_buffer_bytes);
  boost::system::error_code ignored;
  while (!request_body_done_) {
    in.consume(parse_pos_ - in.begin());
    in.compact();
    parse_pos_ = in.begin();
    transport_.set_deadline(limits_.client_body_timeout);
    auto [rec, n] = co_await transport_.read(asio::buffer(in.write_ptr(), in.writable()));
    if (rec) {
      if (upstream_.connected()) upstream_.socket().cancel(ignored);
      co_return transport_.timed_out() ? ProxyError::request_timeout : ProxyError::bad_request;
    }
    in.commit(n);
    std::size_t consumed = 0;
    auto status = request_parser_.execute(in.data(), parse_pos_, in.end(), consumed);
    if (status == ParseStatus::error) {
      if (upstream_.connected()) upstream_.socket().cancel(ignored);
      co_return parse_error_to_proxy_error(request_parser_.error());
    }
    request_body_done_ = status == ParseStatus::message_complete;
    transport_.set_upstream_deadline(exchange_.upstream_timeouts().send);
    auto [wec, w] = co_await upstream_.write({asio::buffer(in.data() + parse_pos_, consumed), {}});
    parse_pos_ += consumed;
    if (wec) co_return ProxyError::none;  // the response side reports the backend's failure
  }
  co_return ProxyError::none;
}

// A request whose body is still arriving: the rest of it is pumped while
// the response is relayed. Its own coroutine, so the frames of the common
// path do not carry the operator&& machinery.
asio::awaitable<H1ServerConnection::Relay> H1ServerConnection::relay_while_pumping(ProxyError& body_error) {
  using namespace asio::experimental::awaitable_operators;
  const std::array<asio::const_buffer, 2> already_sent{};
  auto [pumped, relayed] = co_await (pump_request_body() && relay_response(already_sent));
  body_error = pumped;
  co_return relayed;
}

}  // namespace sluice
