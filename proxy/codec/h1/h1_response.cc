// H1ServerConnection, response side: the response head (the
// response_headers phase's edits applied as it is written) and body relayed
// to the client, and interim responses.
#include <cstring>

#include "proxy/codec/h1/h1_server_connection.h"
#include "proxy/codec/h1/header_rewrite.h"
#include "proxy/server/worker.h"

namespace sluice {

namespace asio = boost::asio;

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
std::array<asio::const_buffer, 2> H1ServerConnection::response_start(ByteBuffer& ub, std::size_t body_from,
                                                                       std::size_t body_end) {
  const std::size_t head_size = downstream_head_.size();
  if (head_size > body_from - ub.begin())
    return {asio::buffer(downstream_head_), asio::buffer(ub.data() + body_from, body_end - body_from)};
  char* head = ub.data() + body_from - head_size;
  std::memcpy(head, downstream_head_.data(), head_size);
  return {asio::buffer(head, head_size + body_end - body_from), {}};
}

asio::awaitable<H1ServerConnection::Relay> H1ServerConnection::relay_response(
    std::array<asio::const_buffer, 2> request_start) {
  Relay r;
  const auto& cfg = worker_.config();
  if (request_start[0].size() != 0) {
    transport_.set_upstream_deadline(exchange_.upstream_timeouts().send);
    auto [ec, n] = co_await upstream_.write(request_start);
    if (ec) {
      r.error = upstream_failure();
      co_return r;
    }
  }
  ByteBuffer& ub = upstream_.buffer();
  for (;;) {  // once per response message: 1xx interim responses loop
    std::size_t pos = start_response_head();
    ParseStatus status;
    while ((status = parse_response_head(pos)) == ParseStatus::need_more) {
      transport_.set_upstream_deadline(exchange_.upstream_timeouts().read);
      auto [ec, n] = co_await upstream_.read(asio::buffer(ub.write_ptr(), ub.writable()));
      if (ec) {
        r.error = upstream_failure();
        if (!request_body_done_) transport_.cancel();
        co_return r;
      }
      r.got_bytes = true;
      ub.commit(n);
    }
    const int code = status == ParseStatus::error ? 0 : upstream_.parser().head().status;
    if (code >= 100 && code < 200 && code != 101) {
      if (!co_await relay_interim(pos, r)) co_return r;
      continue;
    }
    const std::size_t body_from = pos;
    bool until_close = false;
    if (!prepare_response_head(status, pos, until_close, r)) co_return r;
    transport_.set_deadline(cfg.downstream_write_timeout);
    auto [wec, wn] = co_await transport_.write(response_start(ub, body_from, pos));
    exchange_.record().response_bytes += wn;
    r.response_started = true;
    if (wec) {
      r.error = ProxyError::upstream_reset;
      co_return r;
    }
    ub.consume(pos - ub.begin());
    if (r.tunnel) co_return r;
    if (status != ParseStatus::message_complete && !co_await stream_response_body(r)) co_return r;
    settle_response(until_close, r);
    co_return r;
  }
}

// A new response message in the upstream buffer: returns where parsing starts.
std::size_t H1ServerConnection::start_response_head() {
  MessageParser& parser = upstream_.parser();
  parser.start_message();
  parser.set_response_to_head(request_parser_.head().method == HTTP_HEAD);
  upstream_.buffer().compact();
  return upstream_.buffer().begin();
}

// Parses what the buffer holds from `pos`; need_more asks for a read, and
// the buffer then has room for it (a head over the limit is an error).
ParseStatus H1ServerConnection::parse_response_head(std::size_t& pos) {
  ByteBuffer& ub = upstream_.buffer();
  if (pos < ub.end()) {
    std::size_t consumed = 0;
    const ParseStatus status = upstream_.parser().execute(ub.data(), pos, ub.end(), consumed);
    pos += consumed;
    if (status != ParseStatus::need_more) return status;
  }
  if (ub.writable() == 0) {
    if (ub.capacity() >= H1Client::max_response_head_bytes) return ParseStatus::error;
    ub.grow(std::max(ub.capacity() * 2, UpstreamConnection::initial_buffer));
  }
  return ParseStatus::need_more;
}

// response_headers: a final head is complete at `pos`. Records it, decides
// the client connection's fate, writes the client's head with the
// exchange's edits, and parses the body bytes already buffered (`pos`
// moves past them). False, with r.error, for a response not to relay.
bool H1ServerConnection::prepare_response_head(ParseStatus& status, std::size_t& pos, bool& until_close, Relay& r) {
  MessageParser& parser = upstream_.parser();
  const MessageHead& h = parser.head();
  // A 101 the client did not ask for would turn its connection into a
  // tunnel it does not know about: the backend is broken, not switching.
  if (status == ParseStatus::error || (h.status == 101 && !asks_upgrade())) {
    r.error = ProxyError::upstream_bad_response;
    return false;
  }
  ByteBuffer& ub = upstream_.buffer();
  auto& record = exchange_.record();
  record.upstream_header = clock::now();
  record.upstream_status = h.status;
  r.tunnel = h.status == 101;
  until_close = status == ParseStatus::head_complete && !h.chunked && !(h.content_length > 0);
  r.downstream_close = response_closes(until_close);
  const bool http_1_0 = request_parser_.head().http_minor == 0;
  ResponseFacts facts{r.downstream_close && !r.tunnel, http_1_0 && !r.downstream_close, r.tunnel};
  build_downstream_head(downstream_head_, h, ub.data(), h.reason.in(ub.data()), facts,
                        exchange_.response_edits());
  if (status == ParseStatus::head_complete && !r.tunnel) {
    std::size_t consumed = 0;
    status = parser.execute(ub.data(), pos, ub.end(), consumed);
    if (status == ParseStatus::error) {
      r.error = ProxyError::upstream_bad_response;
      return false;
    }
    pos += consumed;
  }
  return true;
}

// The whole response reached the client: may the backend connection be
// reused, and may the client's?
void H1ServerConnection::settle_response(bool until_close, Relay& r) {
  transport_.clear_upstream_deadline();
  r.upstream_reusable = !until_close && upstream_.parser().keep_alive() && upstream_.buffer().readable() == 0;
  // The backend answered before the body was all sent: stop reading it.
  if (!request_body_done_) {
    r.downstream_close = true;
    transport_.cancel();
  }
}

// The client's connection ends with this response: the response is
// delimited by close, the connection's last request, the client asked, an
// HTTP/1.0 client did not ask to keep it, or the worker drains.
bool H1ServerConnection::response_closes(bool until_close) const {
  const auto& req = request_parser_.head();
  return until_close || last_request_ || req.connection_close || worker_.draining() ||
         (req.http_minor == 0 && !req.connection_keep_alive) || !request_parser_.keep_alive();
}

// An interim response (100 Continue, 103 Early Hints) ending at `head_end`
// in the upstream buffer: passed on as received. False when that failed.
asio::awaitable<bool> H1ServerConnection::relay_interim(std::size_t head_end, Relay& r) {
  ByteBuffer& ub = upstream_.buffer();
  transport_.set_deadline(worker_.config().downstream_write_timeout);
  auto [ec, n] = co_await transport_.write({asio::buffer(ub.read_ptr(), head_end - ub.begin()), {}});
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
asio::awaitable<bool> H1ServerConnection::stream_response_body(Relay& r) {
  const auto& cfg = worker_.config();
  ByteBuffer& ub = upstream_.buffer();
  MessageParser& parser = upstream_.parser();
  ub.grow(DownstreamTransport::stream_buffer_bytes);
  for (ParseStatus status = ParseStatus::need_more; status != ParseStatus::message_complete;) {
    ub.compact();
    const std::size_t pos = ub.begin();
    transport_.set_upstream_deadline(exchange_.upstream_timeouts().read);
    auto [ec, n] = co_await upstream_.read(asio::buffer(ub.write_ptr(), ub.writable()));
    if (ec == asio::error::eof && parser.finish()) break;  // body ended by close
    if (ec) {
      r.error = upstream_failure();
      co_return false;
    }
    ub.commit(n);
    std::size_t consumed = 0;
    status = parser.execute(ub.data(), pos, ub.end(), consumed);
    if (status == ParseStatus::error) {
      r.error = ProxyError::upstream_bad_response;
      co_return false;
    }
    transport_.set_deadline(cfg.downstream_write_timeout);
    auto [dec, dn] = co_await transport_.write({asio::buffer(ub.data() + pos, consumed), {}});
    exchange_.record().response_bytes += dn;
    if (dec) {
      r.error = ProxyError::upstream_reset;
      co_return false;
    }
    ub.consume(consumed);
  }
  co_return true;
}

}  // namespace sluice
