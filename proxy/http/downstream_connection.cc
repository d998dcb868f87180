// DownstreamConnection: the request path, phase by phase (read head → route
// → pick endpoint → forward head and body → relay response → keep-alive).
// Bodies are forwarded as the bytes that arrived, never copied or re-framed.
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
#include "proxy/http/header_rewrite.h"
#include "proxy/escaped_exception.h"
#include "proxy/listener.h"
#include "proxy/tls/tls_server.h"
#include "proxy/worker/worker.h"

namespace sluice {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

namespace {

// Small enough that an idle keep-alive connection costs little (nginx's
// client_header_buffer_size is 1k); a longer head grows it once per
// connection, and body streaming grows it once to stream_buffer_bytes.
constexpr std::size_t initial_buffer_bytes = 2 * 1024;
constexpr std::size_t stream_buffer_bytes = 64 * 1024;
constexpr std::size_t max_response_head_bytes = 64 * 1024;
constexpr std::size_t max_request_id_bytes = 200;

// The request target's forms (RFC 9112 3.2): origin-form "/path", and
// absolute-form "http://authority/path", whose authority replaces Host for
// routing and upstream (3.2.2). Anything else, but "*" for OPTIONS, is 400.
// Returns the reason when the target is refused; `authority` is set for
// absolute-form only.
const char* split_target(std::string_view& target, std::string_view& authority, std::uint8_t method) {
  if (!target.empty() && target.front() == '/') return nullptr;
  if (target == "*") return method == HTTP_OPTIONS ? nullptr : "asterisk-form target not with OPTIONS";
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (target.size() < scheme.size() || !iequals(target.substr(0, scheme.size()), scheme)) continue;
    std::string_view rest = target.substr(scheme.size());
    const auto path = rest.find_first_of("/?#");
    authority = rest.substr(0, path);
    if (authority.empty()) return "absolute-form target without a host";
    if (authority.find('@') != std::string_view::npos) return "userinfo in the request target";
    if (path == std::string_view::npos) target = "/";
    else if (rest[path] == '/') target = rest.substr(path);
    else return "absolute-form target without a path";  // "?q" cannot be sent origin-form as is
    return nullptr;
  }
  return "request target is neither origin-form nor absolute-form";
}

}  // namespace

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

// --- deadlines ---------------------------------------------------------
// One timer per connection. Moving a deadline later costs an assignment;
// only a deadline earlier than the armed expiry re-arms the timer.

// Deadlines read the coarse clock: they are seconds away, and a precise
// reading costs more than the rest of setting one. One a tick early is
// still compared with steady_clock by the timer and the watchdog alike.
void DownstreamConnection::set_downstream_deadline(std::chrono::milliseconds d) {
  downstream_deadline_ = coarse_steady_now() + d;
  arm_watchdog(downstream_deadline_);
}

void DownstreamConnection::set_upstream_deadline(std::chrono::milliseconds d) {
  upstream_deadline_ = coarse_steady_now() + d;
  arm_watchdog(upstream_deadline_);
}

void DownstreamConnection::arm_watchdog(clock::time_point deadline) {
  if (deadline < watchdog_expiry_) watchdog_timer_.cancel();
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
// Forwarding: a pooled connection that the backend closed meanwhile (nothing
// came back) gets one retry on a fresh connection when the request is safe
// to send twice.
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
      for (int attempt = 0;; ++attempt) {
        relay = Relay{};
        if (!reuse_pooled_upstream(*routing.backend, routing.backend_index, snapshot, attempt == 0)) {
          relay.error = co_await connect_upstream(*routing.backend, attempt == 0);
          if (relay.error != ProxyError::none) break;
        }
        const bool reused = upstream_->reused;
        std::array<asio::const_buffer, 2> start;
        relay.error = prepare_request_start(body_from, start);
        if (relay.error == ProxyError::none && request_body_done_) {
          relay = co_await relay_response(routing.head_method, routing.upgrade, start);
        } else if (relay.error == ProxyError::none) {
          // The rest of the body is pumped once the start of the request is out.
          set_upstream_deadline(worker_.config().upstream_read_timeout);
          auto [ec, n] = co_await write_upstream(start);
          if (ec) relay.error = upstream_timed_out_ ? ProxyError::upstream_timeout : ProxyError::upstream_reset;
          else relay = co_await relay_while_pumping(routing.head_method, routing.upgrade, body_error);
        }
        const bool stale = reused && !relay.got_bytes && !relay.response_started &&
                           relay.error == ProxyError::upstream_reset && retry_safe_request();
        if (!stale || attempt > 0) break;
        release_upstream(false);
        parse_pos_ = body_from;
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
  const auto& head = request_parser_.head();
  if (head.has_body) return false;
  switch (head.method) {
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

// Reads are not coroutines: each returns an operation that co_await starts
// from the calling coroutine's own frame (see stream_ops.h).
DownstreamConnection::Read DownstreamConnection::read_downstream(asio::mutable_buffer buffer) {
  return {&socket_, tls_ ? &*tls_ : nullptr, buffer};
}

// Plain TCP writes try one send(2) first (immediate_write.h); TLS writes are
// operations on the stream.
WriteResult DownstreamConnection::write_downstream(std::array<asio::const_buffer, 2> buffers) {
  if (!tls_) return write_all(socket_, buffers);
  return write_tls(buffers);
}

WriteResult DownstreamConnection::write_tls(std::array<asio::const_buffer, 2> buffers) {
  co_return co_await Write{&socket_, &*tls_, buffers};
}

DownstreamConnection::Read DownstreamConnection::read_upstream(asio::mutable_buffer buffer) {
  return {&upstream_->socket, nullptr, buffer};
}

WriteResult DownstreamConnection::write_upstream(std::array<asio::const_buffer, 2> buffers) {
  return write_all(upstream_->socket, buffers);
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

void DownstreamConnection::release_upstream(bool reusable) {
  if (!upstream_) return;
  upstream_deadline_ = clock::time_point::max();
  if (reusable && !worker_.draining()) {
    worker_.pool().give_back(std::move(upstream_));
  } else {
    boost::system::error_code ec;
    upstream_->socket.close(ec);
    upstream_.reset();
  }
}

// --- upstream side -------------------------------------------------------

// Picks the exchange's first endpoint (round robin) and, when `pooled`, takes
// an idle connection to it. Not a coroutine: the common case never waits.
// A request that can be sent again skips the liveness check of pooled
// connections: a stale one costs a retry instead of a syscall per request.
bool DownstreamConnection::reuse_pooled_upstream(const Backend& backend, std::uint32_t backend_index,
                                                 const SnapshotSlot::Ref& snapshot, bool pooled) {
  record_.upstream_start = clock::now();
  const tcp::endpoint* peer = nullptr;
  if (backend.is_external()) {
    const auto* addresses = worker_.dns().find(backend.external_name, backend.external_port, record_.upstream_start);
    if (!addresses) return false;  // connect_upstream resolves it
    peer = &addresses->front();
    record_.upstream_address = resolved_address_ = to_string(*peer);
  } else {
    const auto count = static_cast<std::uint32_t>(backend.endpoints.size());
    first_endpoint_ = snapshot.next_index(backend_index, count);
    const Endpoint& endpoint = backend.endpoints[first_endpoint_];
    peer = &endpoint.address;
    record_.upstream_address = endpoint.name;
  }
  return pooled && take_pooled(*peer);
}

bool DownstreamConnection::take_pooled(const tcp::endpoint& peer) {
  auto idle = worker_.pool().take(peer, !retry_safe_request());
  if (!idle) return false;
  upstream_ = std::move(idle);
  WorkerStats::bump(worker_.mutable_stats().upstream_reuses);
  return true;
}

// After reuse_pooled_upstream found nothing: resolves an ExternalName not in
// the cache, then connects. A refused connect tries the next endpoint once.
asio::awaitable<ProxyError> DownstreamConnection::connect_upstream(const Backend& backend, bool pooled) {
  if (backend.is_external()) {
    auto& dns = worker_.dns();
    const auto now = clock::now();
    const auto* addresses = dns.find(backend.external_name, backend.external_port, now);
    if (!addresses) {
      tcp::resolver resolver(socket_.get_executor());
      auto [ec, results] = co_await resolver.async_resolve(
          backend.external_name, std::to_string(backend.external_port), use_tuple);
      if (ec || results.empty()) co_return ProxyError::dns_failed;
      std::vector<tcp::endpoint> resolved;
      for (const auto& r : results) resolved.push_back(r.endpoint());
      dns.remember(backend.external_name, backend.external_port, std::move(resolved), now);
      addresses = dns.find(backend.external_name, backend.external_port, now);
      record_.upstream_address = resolved_address_ = to_string(addresses->front());
      if (pooled && take_pooled(addresses->front())) co_return ProxyError::none;
    }
    co_return co_await connect_to(addresses->front());
  }
  const auto count = static_cast<std::uint32_t>(backend.endpoints.size());
  const std::uint32_t attempts = std::min<std::uint32_t>(count, 2);
  ProxyError error = ProxyError::upstream_connect_failed;
  for (std::uint32_t attempt = 0; attempt < attempts; ++attempt) {
    const Endpoint& endpoint = backend.endpoints[(first_endpoint_ + attempt) % count];
    record_.upstream_address = endpoint.name;
    if (attempt > 0 && pooled && take_pooled(endpoint.address)) co_return ProxyError::none;
    error = co_await connect_to(endpoint.address);
    if (error == ProxyError::none) co_return error;
  }
  co_return error;
}

asio::awaitable<ProxyError> DownstreamConnection::connect_to(const tcp::endpoint& peer) {
  upstream_ = std::make_unique<UpstreamConnection>(socket_.get_executor());
  upstream_->peer = peer;
  upstream_timed_out_ = false;
  set_upstream_deadline(worker_.config().upstream_connect_timeout);
  auto [ec] = co_await upstream_->socket.async_connect(peer, use_tuple);
  upstream_deadline_ = clock::time_point::max();
  if (ec) {
    WorkerStats::bump(worker_.mutable_stats().upstream_connect_failures);
    log::debug("upstream connect failed", {{"endpoint", peer.address().to_string()}, {"error", ec.message()}});
    upstream_.reset();
    co_return ProxyError::upstream_connect_failed;
  }
  WorkerStats::bump(worker_.mutable_stats().upstream_connects);
  boost::system::error_code ignored;
  upstream_->socket.set_option(tcp::no_delay(true), ignored);
  co_return ProxyError::none;
}

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
