// One client connection and the exchanges on it: read a request head, route
// it on the worker's current snapshot, forward it upstream, relay the
// response, repeat while keep-alive allows.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <optional>
#include <tuple>

#include "common/coarse_clock.h"
#include "proxy/transport/byte_buffer.h"
#include "proxy/http/exchange_record.h"
#include "proxy/http/local_reply.h"
#include "proxy/codec/h1/message_parser.h"
#include "proxy/transport/immediate_write.h"
#include "proxy/transport/stream_ops.h"
#include "proxy/upstream/load_balancer.h"
#include "proxy/upstream/retry_policy.h"
#include "proxy/upstream/upstream_connection.h"
#include "proxy/server/snapshot_slot.h"

namespace sluice {

class Worker;
struct Backend;

// worker-confined. Owned by its pending operations (shared_from_this).
class DownstreamConnection : public std::enable_shared_from_this<DownstreamConnection> {
 public:
  // `peer` is the client's address as accept(2) returned it. With `tls`, the
  // connection is HTTPS and starts with a handshake.
  DownstreamConnection(Worker& worker, boost::asio::ip::tcp::socket socket,
                       const boost::asio::ip::tcp::endpoint& peer, boost::asio::ssl::context* tls = nullptr);
  ~DownstreamConnection();

  void start();
  // Draining: closes the connection now if it is between requests.
  void close_if_idle();

 private:
  template <typename T>
  using awaitable = boost::asio::awaitable<T>;
  using clock = std::chrono::steady_clock;

  // How the response side of one exchange ended.
  struct Relay {
    ProxyError error = ProxyError::none;
    bool response_started = false;  // bytes went to the client
    bool got_bytes = false;         // the backend sent anything
    bool upstream_reusable = false;
    bool downstream_close = false;
    bool tunnel = false;            // 101 Switching Protocols
  };

  // What route_request decided: forward to `backend`, redirect to HTTPS,
  // or answer with the local reply for `error`.
  struct Routing {
    const Backend* backend = nullptr;
    std::uint32_t backend_index = 0;
    bool head_method = false;
    bool upgrade = false;
    bool redirect = false;
    bool close_on_reply = false;
    ProxyError error = ProxyError::none;
    std::string_view detail;
    std::string_view host, target;  // for the redirect

    Routing& answer(ProxyError e, std::string_view why = {}) {
      error = e;
      detail = why;
      return *this;
    }
  };

  awaitable<void> run();
  awaitable<void> watchdog();
  awaitable<bool> read_request_head();
  Routing route_request(SnapshotSlot::Ref& snapshot);
  bool reuse_pooled_upstream(const Backend& backend, PickContext& pick, bool first, bool pooled);
  bool take_pooled(const boost::asio::ip::tcp::endpoint& peer);
  awaitable<ProxyError> connect_upstream(const Backend& backend, bool pooled);
  RetryDecision next_attempt(const Backend& backend, const Relay& relay, bool connected, bool reused,
                             PickContext& pick, RetryState& retry, clock::time_point started);
  awaitable<ProxyError> connect_to(const boost::asio::ip::tcp::endpoint& peer);
  ProxyError prepare_request_start(std::size_t body_from, std::array<boost::asio::const_buffer, 2>& out);
  awaitable<ProxyError> pump_request_body();
  awaitable<Relay> relay_while_pumping(bool head_method, bool upgrade, ProxyError& body_error);
  awaitable<Relay> relay_response(bool head_method, bool upgrade,
                                  std::array<boost::asio::const_buffer, 2> request_start);
  std::array<boost::asio::const_buffer, 2> response_start(ByteBuffer& ub, std::size_t body_from, std::size_t body_end);
  awaitable<bool> relay_interim(std::size_t head_end, Relay& r);
  awaitable<bool> stream_response_body(Relay& r);
  awaitable<void> tunnel();
  template <typename From, typename To>
  awaitable<void> copy_stream(From& from, To& to, ByteBuffer& buffer, std::uint64_t& bytes);
  awaitable<bool> handshake();
  using TlsStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket&>;
  using Read = ReadSome<boost::asio::ip::tcp::socket, TlsStream>;
  using Write = WriteAll<boost::asio::ip::tcp::socket, TlsStream>;
  Read read_downstream(boost::asio::mutable_buffer b);
  WriteResult write_downstream(std::array<boost::asio::const_buffer, 2> buffers);
  WriteResult write_tls(std::array<boost::asio::const_buffer, 2> buffers);
  Read read_upstream(boost::asio::mutable_buffer b);
  WriteResult write_upstream(std::array<boost::asio::const_buffer, 2> buffers);
  awaitable<bool> reply(ProxyError error, bool close, std::string_view detail = {});
  awaitable<bool> redirect_to_https(std::string_view host, std::string_view target, bool close);
  bool finish_exchange(const Relay& relay, ProxyError body_error, ProxyError& unanswered);

  ProxyError parse_error_to_proxy_error(ParseError e) const;
  bool retry_safe_request() const;
  bool idempotent_request() const;
  void set_downstream_deadline(std::chrono::milliseconds d);
  void set_upstream_deadline(std::chrono::milliseconds d);
  void arm_watchdog(clock::time_point deadline);
  void release_upstream(bool reusable);
  void record_request_head();
  void note_request();
  void complete_exchange(int status);
  void close();

  Worker& worker_;
  boost::asio::ip::tcp::socket socket_;
  std::optional<TlsStream> tls_;
  boost::asio::steady_timer watchdog_timer_;
  clock::time_point watchdog_expiry_ = clock::time_point::max();
  clock::time_point downstream_deadline_ = clock::time_point::max();
  clock::time_point upstream_deadline_ = clock::time_point::max();
  bool downstream_timed_out_ = false;
  bool upstream_timed_out_ = false;
  bool closed_ = false;
  // nginx's states (its stub_status module's), for the connection gauges
  // and for draining: a waiting connection has no byte of a request yet.
  enum class State : std::uint8_t { waiting, reading, writing };
  State state_ = State::waiting;
  void enter(State next);
  std::atomic<std::uint64_t>* state_counter(State s);

  ByteBuffer in_;
  std::size_t parse_pos_ = 0;
  ParseStatus head_status_ = ParseStatus::need_more;
  bool request_body_done_ = true;
  MessageParser request_parser_{MessageParser::Kind::request};
  MessageParser response_parser_{MessageParser::Kind::response};
  std::string upstream_head_;
  std::string downstream_head_;
  std::string request_id_;
  std::string client_ip_;
  std::string resolved_address_;  // an ExternalName's address, for record_.upstream_address
  std::unique_ptr<UpstreamConnection> upstream_;
  std::uint32_t endpoint_index_ = 0;       // the attempt's endpoint in its backend
  BackendState* backend_state_ = nullptr;  // the worker's, for the pinned snapshot's backend
  ExchangeRecord record_;
  std::uint64_t requests_ = 0;  // on this connection, for --keepalive-requests
  bool last_request_ = false;   // this exchange is the last one allowed
  // Where the non-throwing socket operations put errors nobody acts on.
  boost::system::error_code ignored_;
};

// The per-I/O helpers are inline: every file of the class calls them on the
// request path, once or twice per read and write.

// Deadlines read the coarse clock: they are seconds away, and a precise
// reading costs more than the rest of setting one. One a tick early is
// still compared with steady_clock by the timer and the watchdog alike.
// Moving a deadline later costs an assignment; only a deadline earlier than
// the armed expiry re-arms the timer.
inline void DownstreamConnection::set_downstream_deadline(std::chrono::milliseconds d) {
  downstream_deadline_ = coarse_steady_now() + d;
  arm_watchdog(downstream_deadline_);
}

inline void DownstreamConnection::set_upstream_deadline(std::chrono::milliseconds d) {
  upstream_deadline_ = coarse_steady_now() + d;
  arm_watchdog(upstream_deadline_);
}

inline void DownstreamConnection::arm_watchdog(clock::time_point deadline) {
  if (deadline < watchdog_expiry_) watchdog_timer_.cancel();
}

// Reads are not coroutines: each returns an operation that co_await starts
// from the calling coroutine's own frame (see stream_ops.h).
inline DownstreamConnection::Read DownstreamConnection::read_downstream(boost::asio::mutable_buffer buffer) {
  return {&socket_, tls_ ? &*tls_ : nullptr, buffer};
}

// Plain TCP writes try one send(2) first (immediate_write.h); TLS writes are
// operations on the stream.
inline WriteResult DownstreamConnection::write_downstream(std::array<boost::asio::const_buffer, 2> buffers) {
  if (!tls_) return write_all(socket_, buffers);
  return write_tls(buffers);
}

inline DownstreamConnection::Read DownstreamConnection::read_upstream(boost::asio::mutable_buffer buffer) {
  return {&upstream_->socket, nullptr, buffer};
}

inline WriteResult DownstreamConnection::write_upstream(std::array<boost::asio::const_buffer, 2> buffers) {
  return write_all(upstream_->socket, buffers);
}

}  // namespace sluice
