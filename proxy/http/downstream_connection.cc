// DownstreamConnection: the connection and its exchange loop (read head →
// route → forward → relay → keep-alive), local replies and routing. The
// upstream side, the request body and the response relay have files of
// their own (downstream_upstream.cc, downstream_request_body.cc,
// downstream_response.cc). Bodies are forwarded as the bytes that arrived,
// never copied or re-framed.
#include "proxy/http/downstream_connection.h"

#include <cstring>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "common/coarse_clock.h"
#include "common/log.h"
#include "common/strings.h"
#include "proxy/http/downstream_connection_detail.h"
#include "proxy/codec/h1/header_rewrite.h"
#include "proxy/codec/h1/request_target.h"
#include "proxy/server/escaped_exception.h"
#include "proxy/server/listener.h"
#include "proxy/transport/tls_server.h"
#include "proxy/server/worker.h"

namespace sluice {

using namespace downstream_detail;
using namespace std::chrono_literals;

DownstreamConnection::DownstreamConnection(Worker& worker, tcp::socket socket, const tcp::endpoint& peer,
                                           asio::ssl::context* tls)
    : worker_(worker),
      socket_(std::move(socket)),
      watchdog_timer_(socket_.get_executor()),
      in_(initial_buffer_bytes) {
  boost::system::error_code ec;
  socket_.set_option(tcp::no_delay(true), ec);
  const auto address = peer.address();
  client_ip_ = address.is_v6() && address.to_v6().is_v4_mapped()
                   ? asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6()).to_string()
                   : address.to_string();
  const auto& cfg = worker.config();
  request_parser_.set_limits(cfg.max_header_bytes, cfg.max_body_bytes, cfg.max_header_fields,
                             cfg.max_request_line_bytes);
  request_id_.reserve(64);
  record_.tls = tls != nullptr;
  if (tls) tls_.emplace(socket_, *tls);
  worker_.add(this);
  WorkerStats::bump(*state_counter(state_));
}

DownstreamConnection::~DownstreamConnection() {
  if (auto* counter = state_counter(state_)) WorkerStats::bump(*counter, -1);
  worker_.remove(this);
}

// "writing" has no counter of its own: it is the active connections in
// neither of the other states.
std::atomic<std::uint64_t>* DownstreamConnection::state_counter(State s) {
  auto& stats = worker_.mutable_stats();
  switch (s) {
    case State::waiting: return &stats.connections_waiting;
    case State::reading: return &stats.connections_reading;
    default: return nullptr;
  }
}

void DownstreamConnection::enter(State next) {
  if (next == state_) return;
  if (auto* counter = state_counter(state_)) WorkerStats::bump(*counter, -1);
  if (auto* counter = state_counter(next)) WorkerStats::bump(*counter);
  state_ = next;
}

// Both coroutines return errors as values; one that throws anyway is
// logged and closes the connection, so neither its fd nor the connection
// gauges nor a drain waiting for it leak.
void DownstreamConnection::start() {
  auto on_exit = [self = shared_from_this()](std::exception_ptr e) {
    if (!e) return;
    log_escaped_exception(e, "downstream connection");
    self->close();
  };
  asio::co_spawn(socket_.get_executor(), watchdog(), on_exit);
  asio::co_spawn(socket_.get_executor(), run(), on_exit);
}

void DownstreamConnection::close_if_idle() {
  if (state_ == State::waiting) close();
}

void DownstreamConnection::close() {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  socket_.close(ec);  // sends the FIN; a shutdown(2) first would only cost a system call
  if (upstream_) upstream_->socket.close(ec);
  watchdog_timer_.cancel();
}

asio::awaitable<void> DownstreamConnection::watchdog() {
  auto self = shared_from_this();
  while (!closed_) {
    watchdog_expiry_ = std::min(downstream_deadline_, upstream_deadline_);
    watchdog_timer_.expires_at(watchdog_expiry_);
    co_await watchdog_timer_.async_wait(use_tuple);
    if (closed_) break;
    // The timer fired at or after watchdog_expiry_ by steady_clock, so the
    // earlier deadline is due whichever clock computed it (deadlines use the
    // coarse one): each wake-up either times one out or re-arms for later.
    const auto now = clock::now();
    boost::system::error_code ec;
    if (downstream_deadline_ <= now) {
      downstream_deadline_ = clock::time_point::max();
      downstream_timed_out_ = true;
      socket_.cancel(ec);
    }
    if (upstream_deadline_ <= now) {
      upstream_deadline_ = clock::time_point::max();
      upstream_timed_out_ = true;
      if (upstream_) upstream_->socket.cancel(ec);
    }
  }
}

// --- the connection loop -------------------------------------------------

// One exchange per turn: request head, route, then a local answer or
// forward and relay, then the log. The exchange's state lives in this frame,
// allocated once per connection. A connection waits for its client in
// read_request_head and for its backend in relay_response (which also sends
// the request): whichever it waits for, it holds one frame besides this one,
// and it frees one just before it allocates the other, so Asio's per-thread
// frame cache (16 blocks, first fit) keeps up even when a burst of
// connections move on at once. A chain of frames that grew and shrank
// between waits overflowed the cache and then missed it: malloc and free.
//
// Forwarding: a failed attempt goes to next_attempt, which marks the
// endpoint's health and asks the exchange's RetryState whether to try
// again: on another endpoint (the load balancer's next pick), or on a fresh
// connection to the same one when a pooled connection had gone stale.
asio::awaitable<void> DownstreamConnection::run() {
  auto self = shared_from_this();
  if (tls_ && !co_await handshake()) {
    close();
    co_return;
  }
  while (!closed_) {
    if (!co_await read_request_head()) break;
    note_request();
    SnapshotSlot::Ref snapshot;  // pinned by route_request until this turn ends
    const Routing routing = route_request(snapshot);
    bool keep_alive = false;
    if (routing.redirect) {
      keep_alive = co_await redirect_to_https(routing.host, routing.target, routing.close_on_reply || last_request_);
    } else if (!routing.backend) {
      keep_alive = co_await reply(routing.error, routing.close_on_reply || last_request_, routing.detail);
    } else {
      ProxyError body_error = ProxyError::none;
      Relay relay;
      const std::size_t body_from = parse_pos_;
      clock::time_point started{};  // the first attempt's, read by reuse_pooled_upstream
      RetryState retry(worker_.retry_policy());
      PickContext pick{};
      backend_state_ = snapshot.backend_state(routing.backend_index);
      for (bool first = true, pooled = true;; first = false) {
        relay = Relay{};
        bool connected = true;
        const bool took_pooled = reuse_pooled_upstream(*routing.backend, pick, first, pooled);
        if (first) started = pick.now;
        if (!took_pooled) {
          relay.error = co_await connect_upstream(*routing.backend, pooled);
          connected = relay.error == ProxyError::none;
        }
        const bool reused = connected && upstream_->reused;
        std::array<asio::const_buffer, 2> start;
        if (connected) relay.error = prepare_request_start(body_from, start);
        if (connected && relay.error == ProxyError::none) {
          if (request_body_done_) {
            relay = co_await relay_response(routing.head_method, routing.upgrade, start);
          } else {
            // The rest of the body is pumped once the start of the request is out.
            set_upstream_deadline(worker_.config().upstream_read_timeout);
            auto [ec, n] = co_await write_upstream(start);
            if (ec) relay.error = upstream_timed_out_ ? ProxyError::upstream_timeout : ProxyError::upstream_reset;
            else relay = co_await relay_while_pumping(routing.head_method, routing.upgrade, body_error);
          }
        }
        if (relay.error == ProxyError::none) {  // the common case, without a call
          if (backend_state_) worker_.backends().report_success(*backend_state_, endpoint_index_);
          break;
        }
        const RetryDecision next =
            next_attempt(*routing.backend, relay, connected, reused, pick, retry, started);
        if (next == RetryDecision::stop || body_error != ProxyError::none) break;
        WorkerStats::bump(worker_.mutable_stats().upstream_retries);
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
void DownstreamConnection::note_request() {
  last_request_ = ++requests_ >= worker_.config().keepalive_requests;
  if (last_request_) WorkerStats::bump(worker_.mutable_stats().keepalive_requests_reached);
}

// The wall clock only serves the access log's timestamps: without one, the
// request costs no read of it.
static void mark_request_start(ExchangeRecord& record, bool wall_clock) {
  record.start = std::chrono::steady_clock::now();
  if (wall_clock) record.start_wall = std::chrono::system_clock::now();
}

// Idempotent and bodyless: sending it again cannot do anything twice.
bool DownstreamConnection::retry_safe_request() const {
  return !request_parser_.head().has_body && idempotent_request();
}

// GET HEAD OPTIONS PUT DELETE TRACE, as nginx retries them (it refuses
// POST, LOCK and PATCH once sent; other methods are not ours to guess).
bool DownstreamConnection::idempotent_request() const {
  switch (request_parser_.head().method) {
    case HTTP_GET: case HTTP_HEAD: case HTTP_OPTIONS: case HTTP_PUT: case HTTP_DELETE: case HTTP_TRACE:
      return true;
    default:
      return false;
  }
}

// The handshake routes SNI on the snapshot current now (pinned for its
// duration) and is bounded by the client header timeout.
asio::awaitable<bool> DownstreamConnection::handshake() {
  SnapshotSlot::Ref snapshot = worker_.slot().pin();
  TlsServer::attach(tls_->native_handle(), snapshot ? &snapshot.table() : nullptr);
  set_downstream_deadline(worker_.config().client_header_timeout);
  auto [ec] = co_await tls_->async_handshake(asio::ssl::stream_base::server, use_tuple);
  TlsServer::attach(tls_->native_handle(), nullptr);
  auto& stats = worker_.mutable_stats();
  if (ec) {
    WorkerStats::bump(stats.tls_handshake_errors);
    log::debug("TLS handshake failed", {{"client", client_ip_}, {"error", ec.message()}});
    co_return false;
  }
  WorkerStats::bump(stats.tls_handshakes);
  co_return true;
}

WriteResult DownstreamConnection::write_tls(std::array<asio::const_buffer, 2> buffers) {
  co_return co_await Write{&socket_, &*tls_, buffers};
}

ProxyError DownstreamConnection::parse_error_to_proxy_error(ParseError e) const {
  switch (e) {
    case ParseError::header_too_large: return ProxyError::header_too_large;
    case ParseError::too_many_fields: return ProxyError::too_many_fields;
    case ParseError::uri_too_long: return ProxyError::uri_too_long;
    case ParseError::body_too_large: return ProxyError::body_too_large;
    case ParseError::bad_version: return ProxyError::bad_version;
    default: return ProxyError::bad_request;
  }
}

asio::awaitable<bool> DownstreamConnection::read_request_head() {
  in_.consume(parse_pos_ - in_.begin());  // the previous request, now answered
  in_.compact();  // a pipelined request may already be here
  parse_pos_ = in_.begin();
  request_parser_.start_message();
  request_id_.clear();
  record_.reset();
  downstream_timed_out_ = upstream_timed_out_ = false;  // each exchange reports its own timeouts
  const auto& cfg = worker_.config();
  bool started = in_.readable() > 0;
  enter(started ? State::reading : State::waiting);
  if (started) mark_request_start(record_, worker_.logs_access());
  set_downstream_deadline(started ? cfg.client_header_timeout : cfg.keepalive_timeout);
  for (;;) {
    if (parse_pos_ < in_.end()) {
      std::size_t consumed = 0;
      head_status_ = request_parser_.execute(in_.data(), parse_pos_, in_.end(), consumed);
      parse_pos_ += consumed;
      if (head_status_ == ParseStatus::head_complete || head_status_ == ParseStatus::message_complete) {
        record_.request_bytes = parse_pos_ - in_.begin();
        enter(State::writing);
        co_return true;
      }
      if (head_status_ == ParseStatus::error) {
        log::debug("bad request", {{"client", client_ip_}, {"reason", request_parser_.error_reason()}});
        co_await reply(parse_error_to_proxy_error(request_parser_.error()), true,
                       request_parser_.error_reason());
        co_return false;
      }
    }
    if (in_.writable() == 0) {
      // The parser refuses a head over the limit, so this stays bounded.
      in_.grow(std::min(std::max(in_.capacity() * 2, initial_buffer_bytes), cfg.max_header_bytes + 1024));
      if (in_.writable() == 0) {
        co_await reply(ProxyError::header_too_large, true);
        co_return false;
      }
    }
    if (!started && worker_.draining()) co_return false;
    auto [ec, n] = co_await read_downstream(asio::buffer(in_.write_ptr(), in_.writable()));
    if (ec) {
      if (started && downstream_timed_out_) co_await reply(ProxyError::request_timeout, true);
      co_return false;
    }
    in_.commit(n);
    if (!started) {
      started = true;
      enter(State::reading);
      mark_request_start(record_, worker_.logs_access());
      set_downstream_deadline(cfg.client_header_timeout);  // slowloris: the whole head, once
    }
  }
}

// ingress-nginx's answer to plain HTTP for a host with TLS: 308 keeps the
// method and body, unlike 301.
asio::awaitable<bool> DownstreamConnection::redirect_to_https(std::string_view host, std::string_view target,
                                                              bool close) {
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(']') == std::string_view::npos)
    host = host.substr(0, colon);
  auto& out = downstream_head_;
  out.assign("HTTP/1.1 308 Permanent Redirect\r\nServer: sluice\r\nLocation: https://");
  out.append(host);
  out.append(target);
  out.append("\r\nContent-Length: 0\r\nX-Request-ID: ");
  out.append(request_id_);
  out.append(close ? "\r\nConnection: close\r\n\r\n" : "\r\n\r\n");
  set_downstream_deadline(worker_.config().downstream_write_timeout);
  auto [ec, n] = co_await write_downstream({asio::buffer(out), {}});
  record_.response_bytes += n;
  complete_exchange(308);
  co_return !ec && !close;
}

asio::awaitable<bool> DownstreamConnection::reply(ProxyError error, bool close, std::string_view detail) {
  if (request_id_.empty()) worker_.new_request_id(request_id_);
  build_local_reply(downstream_head_, error, request_id_, detail, close);
  set_downstream_deadline(worker_.config().downstream_write_timeout);
  auto [ec, n] = co_await write_downstream({asio::buffer(downstream_head_), {}});
  record_.response_bytes += n;
  record_.error = error;
  WorkerStats::bump(worker_.mutable_stats().local_replies[static_cast<std::size_t>(error)]);
  complete_exchange(status_for(error));
  co_return !ec && !close;
}

// --- one exchange ----------------------------------------------------------

// Everything about a request that can be decided without waiting: its id,
// what the access log needs, the route, and the head to send upstream.
// `snapshot` is pinned here and kept by the exchange.
DownstreamConnection::Routing DownstreamConnection::route_request(SnapshotSlot::Ref& snapshot) {
  auto& head = request_parser_.head();
  const char* base = in_.data();
  Routing r;

  bool generated_id = false;
  if (head.request_id >= 0 && head.headers[head.request_id].value.length <= max_request_id_bytes &&
      !head.headers[head.request_id].value.empty()) {
    request_id_.assign(head.headers[head.request_id].value.in(base));
  } else {
    worker_.new_request_id(request_id_);
    generated_id = true;
  }
  request_body_done_ = head_status_ == ParseStatus::message_complete;
  // A local reply before the body was read leaves the body unread: close.
  r.close_on_reply = !request_body_done_;

  std::string_view target = head.target.in(base);
  std::string_view host = head.host >= 0 ? head.headers[head.host].value.in(base) : std::string_view();
  std::string_view authority;
  const char* bad_target = head.method == HTTP_CONNECT ? nullptr : split_target(target, authority, head.method);
  if (!authority.empty()) host = authority;
  record_request_head();
  record_.target.assign(target);
  record_.host.assign(host);
  if (head.method == HTTP_CONNECT) {
    r.close_on_reply = true;
    return r.answer(ProxyError::bad_request, "CONNECT is not supported");
  }
  if (bad_target) {
    r.close_on_reply = true;
    return r.answer(ProxyError::bad_request, bad_target);
  }

  // Route on the snapshot this worker holds now; the exchange keeps it.
  snapshot = worker_.slot().pin();
  if (!snapshot) return r.answer(ProxyError::no_snapshot);
  RouteMatch match = snapshot->match(host, target);
  if (!match.route) return r.answer(ProxyError::no_route);
  record_.route = match.route;
  record_.backend = match.backend;
  if (!tls_ && match.route->ssl_redirect) {
    r.redirect = true;
    r.host = host;
    r.target = target;
    return r;
  }
  const Backend& backend = *match.backend;
  if (backend.endpoints.empty() && !backend.is_external()) return r.answer(ProxyError::no_endpoints, backend.name);

  r.backend = &backend;
  r.backend_index = match.route->backend;
  r.upgrade = head.upgrade >= 0 && head.connection_upgrade;
  r.head_method = head.method == HTTP_HEAD;
  ForwardFacts facts{client_ip_, tls_ ? "https" : "http", tls_ ? worker_.tls_port() : worker_.listen_port(),
                     request_id_, target, authority, generated_id, r.upgrade,
                     worker_.config().underscores_in_headers};
  build_upstream_head(upstream_head_, head, base, facts);
  return r;
}

// Copies what the access log needs out of the head, which the body will
// overwrite; the strings keep their capacity across requests.
void DownstreamConnection::record_request_head() {
  const auto& head = request_parser_.head();
  const char* base = in_.data();
  record_.method = llhttp_method_name(static_cast<llhttp_method_t>(head.method));
  record_.http_minor = head.http_minor;
  if (head.user_agent >= 0) record_.user_agent.assign(head.headers[head.user_agent].value.in(base));
  if (head.referer >= 0) record_.referer.assign(head.headers[head.referer].value.in(base));
}

void DownstreamConnection::complete_exchange(int status) {
  record_.status = status;
  record_.end = clock::now();
  record_.client_ip = client_ip_;
  record_.request_id = request_id_;
  worker_.observe(record_);
  record_.route = nullptr;  // the snapshot is unpinned after this exchange
  record_.backend = nullptr;
}

// Accounts for the exchange and settles the upstream connection; true when
// the client connection stays open for another request. `unanswered` is the
// error to reply with when nothing reached the client yet. A tunnel (101)
// is left to the caller.
bool DownstreamConnection::finish_exchange(const Relay& relay, ProxyError body_error, ProxyError& unanswered) {
  record_.request_bytes += request_parser_.body_bytes();
  if (relay.tunnel) return false;  // tunnel() logs it when it closes
  if (relay.response_started) complete_exchange(record_.upstream_status);
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
