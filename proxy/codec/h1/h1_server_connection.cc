// H1ServerConnection: the connection loop (read head → exchange phases →
// answer or forward → keep-alive), request heads and local replies.
// Forwarding, the request body, the response relay and tunnels have files
// of their own (h1_upstream.cc, h1_request_body.cc, h1_response.cc,
// h1_tunnel.cc). Bodies are forwarded as the bytes that arrived, never
// copied or re-framed.
#include "proxy/codec/h1/h1_server_connection.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/log.h"
#include "proxy/codec/h1/h1_request_view.h"
#include "proxy/server/escaped_exception.h"
#include "proxy/server/worker.h"
#include "proxy/transport/tls_server.h"

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

namespace {

std::string client_address(const tcp::endpoint& peer) {
  const auto address = peer.address();
  return address.is_v6() && address.to_v6().is_v4_mapped()
             ? asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string()
             : address.to_string();
}

std::array<std::uint8_t, 16> address_bytes(const tcp::endpoint& peer) {
  const auto address = peer.address();
  return address.is_v6() ? address.to_v6().to_bytes()
                         : asio::ip::make_address_v6(asio::ip::v4_mapped, address.to_v4()).to_bytes();
}

}  // namespace

H1ServerConnection::H1ServerConnection(Worker& worker, tcp::socket socket, const tcp::endpoint& peer,
                                       asio::ssl::context* tls)
    : worker_(worker),
      transport_(std::move(socket), tls, worker.mutable_stats()),
      client_ip_(client_address(peer)),
      exchange_(worker.exchange_services(),
                ConnectionFacts{.tls = tls != nullptr, .client_ip = client_ip_,
                                .client_address = parse_client_address(client_ip_).value_or(ClientAddress{}),
                                .client_key = address_bytes(peer), .max_body_bytes = worker.config().max_body_bytes,
                                .port = tls ? worker.tls_port() : worker.listen_port()}) {
  const auto& cfg = worker.config();
  // No body limit while the head is read: the route's (or the listener's)
  // is known only after decide(), and it is set then.
  request_parser_.set_limits(cfg.max_header_bytes, 0, cfg.max_header_fields, cfg.max_request_line_bytes);
  worker_.add(this);
}

H1ServerConnection::~H1ServerConnection() { worker_.remove(this); }

// Both coroutines return errors as values; one that throws anyway is
// logged and closes the connection, so neither its fd nor the connection
// gauges nor a drain waiting for it leak.
void H1ServerConnection::start() {
  auto on_exit = [self = shared_from_this()](std::exception_ptr e) {
    if (!e) return;
    log_escaped_exception(e, "downstream connection");
    self->close();
  };
  asio::co_spawn(transport_.socket().get_executor(), watchdog(), on_exit);
  asio::co_spawn(transport_.socket().get_executor(), run(), on_exit);
}

void H1ServerConnection::close_if_idle() {
  if (transport_.state() == DownstreamTransport::State::waiting) close();
}

void H1ServerConnection::close() {
  transport_.close();  // also forgets the upstream socket it watched
  upstream_.close();
}

asio::awaitable<void> H1ServerConnection::watchdog() {
  auto self = shared_from_this();
  co_await transport_.watchdog();
}

// One exchange per turn: request head, the request phases, then a local
// answer or forward and relay, then the log. The exchange's state lives in
// this frame, allocated once per connection. A connection waits for its
// client in read_request_head and for its backend in relay_response (which
// also sends the request): whichever it waits for, it holds one frame
// besides this one, and it frees one just before it
// allocates the other, so Asio's per-thread frame cache (16 blocks, first
// fit) keeps up even when a burst of connections move on at once. A chain
// of frames that grew and shrank between waits overflowed the cache and
// then missed it: malloc and free. So forwarding is not a coroutine of its
// own: a frame per request between the two waits would break that balance.
asio::awaitable<void> H1ServerConnection::run() {
  auto self = shared_from_this();
  if (transport_.tls() && !co_await handshake()) {
    close();
    co_return;
  }
  while (!transport_.closed()) {
    if (!co_await read_request_head()) break;
    note_request();
    const Decision& decision = begin_exchange();
    bool keep_alive = false;
    if (decision.verdict.kind != VerdictKind::continue_) {
      keep_alive = co_await answer(decision.verdict);
    } else {
      // Forwarding stays in this frame (see above): the attempts, then the
      // tunnel or the reply for an exchange nothing answered. A failed
      // attempt goes to retry_after(), which asks the exchange what next:
      // another endpoint, or a fresh connection when a pooled one was stale.
      const Backend& backend = *decision.match.backend;
      ProxyError body_error = ProxyError::none;
      Relay relay;
      const std::size_t body_from = parse_pos_;
      exchange_.first_endpoint(backend, decision.match.route->backend);
      for (bool pooled = true;;) {
        relay = Relay{};
        bool connected = reuse_pooled_upstream(backend, pooled);
        if (!connected) {
          relay.error = co_await connect_upstream(backend, pooled);
          connected = relay.error == ProxyError::none;
        }
        const bool reused = connected && upstream_.reused();
        std::array<asio::const_buffer, 2> start;
        if (connected) relay.error = prepare_request_start(body_from, start);
        if (connected && relay.error == ProxyError::none && request_body_done_) {
          relay = co_await relay_response(start);
        } else if (connected && relay.error == ProxyError::none) {
          // The rest of the body is pumped once the start of the request is out.
          transport_.set_upstream_deadline(exchange_.upstream_timeouts().send);
          auto [ec, n] = co_await upstream_.write(start);
          relay.error = ec ? upstream_failure() : ProxyError::none;
          if (!ec) relay = co_await relay_while_pumping(body_error);
        }
        if (relay.error == ProxyError::none) {  // the common case, without a call
          exchange_.attempt_succeeded();
          break;
        }
        // A body the client got wrong (too large, malformed, too slow) is
        // its failure: no retry, and no health mark against the endpoint.
        if (body_error != ProxyError::none) break;
        const RetryDecision next = retry_after(backend, relay, connected, reused);
        if (next == RetryDecision::stop) break;
        release_upstream(false);
        parse_pos_ = body_from;
        pooled = next == RetryDecision::next_endpoint;  // a stale pooled connection: a fresh one
      }
      ProxyError unanswered = ProxyError::none;
      keep_alive = finish_exchange(relay, body_error, unanswered);
      if (relay.tunnel) co_await tunnel();
      else if (unanswered != ProxyError::none) co_await reply(unanswered, true);
    }
    if (!keep_alive || worker_.draining()) break;
  }
  close();
}

// nginx's keepalive_requests: the response to the last request a
// connection may carry says `Connection: close`, and the connection ends.
void H1ServerConnection::note_request() {
  refresh_limits();  // the head is in: this request counts under the current snapshot's limit
  last_request_ = ++requests_ >= limits_.keepalive_requests;
  if (last_request_) WorkerStats::bump(worker_.mutable_stats().keepalive_requests_reached);
}

// The request phases on the head just parsed, and, when they forward, the
// head for the backend. A local reply before the body was read leaves the
// body unread: the connection then closes.
const Decision& H1ServerConnection::begin_exchange() {
  request_body_done_ = head_status_ == ParseStatus::message_complete;
  H1RequestView view(request_parser_.head(), transport_.in().data());
  const Decision& d = exchange_.begin(view.request(), view.facts());
  request_parser_.set_max_body_bytes(d.max_body_bytes);  // a chunked body is counted against it as it arrives
  if (d.verdict.kind == VerdictKind::continue_) build_request_head(view);
  return d;
}

// Not coroutines: each returns send_local's, so a local answer costs one
// frame, as the exchange's frame budget needs (see run()).
asio::awaitable<bool> H1ServerConnection::answer(const Verdict& verdict) {
  const bool close = verdict.kind == VerdictKind::respond && verdict.reply.close;
  return send_local(verdict, close || !request_body_done_ || last_request_);
}

asio::awaitable<bool> H1ServerConnection::reply(ProxyError error, bool close, std::string_view detail) {
  return send_local(Verdict::respond(Phase::request_headers, error, detail, close), close);
}

// Idempotent and bodyless: sending it again cannot do anything twice.
bool H1ServerConnection::retry_safe_request() const {
  const auto& head = request_parser_.head();
  return !head.has_body && idempotent(h1_method(head.method));
}

// The handshake routes SNI on the snapshot current now (pinned for its
// duration) and is bounded by the client header timeout.
asio::awaitable<bool> H1ServerConnection::handshake() {
  SnapshotSlot::Ref snapshot = worker_.slot().pin();
  SSL* ssl = transport_.tls_stream().native_handle();
  TlsServer::attach(ssl, snapshot ? &snapshot.table() : nullptr);
  const auto ec = co_await transport_.handshake(worker_.config().client_header_timeout);
  TlsServer::attach(ssl, nullptr);
  auto& stats = worker_.mutable_stats();
  if (ec) {
    WorkerStats::bump(stats.tls_handshake_errors);
    log::debug("TLS handshake failed", {{"client", client_ip_}, {"error", ec.message()}});
    co_return false;
  }
  WorkerStats::bump(stats.tls_handshakes);
  co_return true;
}

ProxyError H1ServerConnection::parse_error_to_proxy_error(ParseError e) const {
  switch (e) {
    case ParseError::header_too_large: return ProxyError::header_too_large;
    case ParseError::too_many_fields: return ProxyError::too_many_fields;
    case ParseError::uri_too_long: return ProxyError::uri_too_long;
    case ParseError::body_too_large: return ProxyError::body_too_large;
    case ParseError::bad_version: return ProxyError::bad_version;
    default: return ProxyError::bad_request;
  }
}

void H1ServerConnection::refresh_limits() {
  const auto current = worker_.exchange_services().slot.pin();  // a plain count, no copy
  limits_ = connection_limits(worker_.config(), current ? &current.table() : nullptr);
}

asio::awaitable<bool> H1ServerConnection::read_request_head() {
  refresh_limits();  // the wait for the head runs under the current snapshot's timeouts
  ByteBuffer& in = transport_.in();
  in.consume(parse_pos_ - in.begin());  // the previous request, now answered
  in.compact();  // a pipelined request may already be here
  parse_pos_ = in.begin();
  request_parser_.start_message();
  request_parser_.set_max_body_bytes(0);  // the next route's, once decided
  exchange_.reset();
  transport_.clear_timeouts();  // each exchange reports its own timeouts
  const auto& cfg = worker_.config();
  bool started = in.readable() > 0;
  transport_.enter(started ? DownstreamTransport::State::reading : DownstreamTransport::State::waiting);
  if (started) exchange_.mark_start();
  transport_.set_deadline(started ? limits_.client_header_timeout : limits_.keepalive_timeout);
  for (;;) {
    if (parse_pos_ < in.end()) {
      std::size_t consumed = 0;
      head_status_ = request_parser_.execute(in.data(), parse_pos_, in.end(), consumed);
      parse_pos_ += consumed;
      if (head_status_ == ParseStatus::head_complete || head_status_ == ParseStatus::message_complete) {
        exchange_.record().request_bytes = parse_pos_ - in.begin();
        transport_.enter(DownstreamTransport::State::writing);
        co_return true;
      }
      if (head_status_ == ParseStatus::error) {
        log::debug("bad request", {{"client", client_ip_}, {"reason", request_parser_.error_reason()}});
        co_await reply(parse_error_to_proxy_error(request_parser_.error()), true, request_parser_.error_reason());
        co_return false;
      }
    }
    if (in.writable() == 0) {
      // The parser refuses a head over the limit, so this stays bounded.
      const std::size_t initial = DownstreamTransport::initial_buffer_bytes;
      in.grow(std::min(std::max(in.capacity() * 2, initial), cfg.max_header_bytes + 1024));
      if (in.writable() == 0) {
        co_await reply(ProxyError::header_too_large, true);
        co_return false;
      }
    }
    if (!started && worker_.draining()) co_return false;
    auto [ec, n] = co_await transport_.read(asio::buffer(in.write_ptr(), in.writable()));
    if (ec) {
      if (started && transport_.timed_out()) co_await reply(ProxyError::request_timeout, true);
      co_return false;
    }
    in.commit(n);
    if (!started) {
      started = true;
      transport_.enter(DownstreamTransport::State::reading);
      exchange_.mark_start();
      transport_.set_deadline(limits_.client_header_timeout);  // slowloris: the whole head, once
    }
  }
}

// A redirect or a local reply, written in one piece; true when the
// connection may carry another request.
asio::awaitable<bool> H1ServerConnection::send_local(Verdict verdict, bool close) {
  const bool redirect = verdict.kind == VerdictKind::redirect;
  if (redirect) build_redirect(downstream_head_, verdict.redirect, exchange_.ensure_request_id(), close,
                               &exchange_.local_reply_edits(ProxyError::none));
  else build_local_reply(downstream_head_, verdict.reply.error, exchange_.ensure_request_id(), verdict.reply.detail,
                         close, &exchange_.local_reply_edits(verdict.reply.error));
  transport_.set_deadline(worker_.config().downstream_write_timeout);
  auto [ec, n] = co_await transport_.write({asio::buffer(downstream_head_), {}});
  exchange_.record().response_bytes += n;
  if (redirect) {
    exchange_.finish(verdict.redirect.status);
  } else {
    WorkerStats::bump(worker_.mutable_stats().local_replies[static_cast<std::size_t>(verdict.reply.error)]);
    exchange_.finish_local(verdict.reply.error);
  }
  co_return !ec && !close;
}

// Accounts for the exchange and settles the upstream connection; true when
// the client connection stays open for another request. `unanswered` is the
// error to reply with when nothing reached the client yet. A tunnel (101)
// is left to the caller.
bool H1ServerConnection::finish_exchange(const Relay& relay, ProxyError body_error, ProxyError& unanswered) {
  auto& record = exchange_.record();
  record.request_bytes += request_parser_.body_bytes();
  if (relay.tunnel) return false;  // tunnel() logs it when it closes
  if (relay.response_started) exchange_.finish(record.upstream_status);
  const bool clean = relay.error == ProxyError::none && body_error == ProxyError::none;
  release_upstream(clean && relay.upstream_reusable && request_body_done_);
  if (!relay.response_started) {
    unanswered = body_error != ProxyError::none ? body_error : relay.error;
    if (unanswered == ProxyError::none) unanswered = ProxyError::upstream_reset;
    return false;
  }
  return clean && !relay.downstream_close && request_body_done_;
}

}  // namespace sluice
