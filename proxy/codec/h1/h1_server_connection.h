// An HTTP/1 client connection: the codec on top of the connection layer
// (DownstreamTransport). It reads request heads, hands each to an Exchange
// for the request phases, does what the verdict says (a local reply, a
// redirect, or forwarding through an HTTP/1 client codec toward the
// backend), and repeats while keep-alive allows. When both sides speak
// HTTP/1 and no policy changes the body, heads are rewritten in one pass
// and body bytes go through as they arrived: the two codecs agree on it.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "proxy/codec/h1/h1_client.h"
#include "proxy/codec/h1/message_parser.h"
#include "proxy/http/exchange.h"
#include "proxy/server/connection_limits.h"
#include "proxy/transport/downstream_transport.h"

namespace sluice {

class Worker;
struct Backend;

// worker-confined. Owned by its pending operations (shared_from_this).
class H1ServerConnection : public std::enable_shared_from_this<H1ServerConnection> {
 public:
  // `peer` is the client's address as accept(2) returned it. With `tls`, the
  // connection is HTTPS and starts with a handshake.
  H1ServerConnection(Worker& worker, boost::asio::ip::tcp::socket socket,
                     const boost::asio::ip::tcp::endpoint& peer, boost::asio::ssl::context* tls = nullptr);
  ~H1ServerConnection();

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

  // --- the connection loop (h1_server_connection.cc)
  awaitable<void> run();
  awaitable<void> watchdog();
  awaitable<bool> read_request_head();
  awaitable<bool> handshake();
  void note_request();
  void refresh_limits();
  const Decision& begin_exchange();
  awaitable<bool> answer(const Verdict& verdict);
  awaitable<bool> reply(ProxyError error, bool close, std::string_view detail = {});
  awaitable<bool> send_local(Verdict verdict, bool close);
  bool finish_exchange(const Relay& relay, ProxyError body_error, ProxyError& unanswered);
  ProxyError parse_error_to_proxy_error(ParseError e) const;
  bool retry_safe_request() const;
  // The request asks to switch protocols (Upgrade named in Connection).
  bool asks_upgrade() const {
    const auto& head = request_parser_.head();
    return head.upgrade >= 0 && head.connection_upgrade;
  }
  void close();

  // --- forwarding (h1_upstream.cc)
  void build_request_head(const class H1RequestView& view);
  bool reuse_pooled_upstream(const Backend& backend, bool pooled);
  RetryDecision retry_after(const Backend& backend, const Relay& relay, bool connected, bool reused);
  bool take_pooled(const boost::asio::ip::tcp::endpoint& peer);
  awaitable<ProxyError> connect_upstream(const Backend& backend, bool pooled);
  awaitable<ProxyError> connect_to(const boost::asio::ip::tcp::endpoint& peer);
  void release_upstream(bool reusable);

  // --- the request body (h1_request_body.cc)
  ProxyError prepare_request_start(std::size_t body_from, std::array<boost::asio::const_buffer, 2>& out);
  awaitable<ProxyError> pump_request_body();
  awaitable<Relay> relay_while_pumping(ProxyError& body_error);

  // --- the response (h1_response.cc)
  awaitable<Relay> relay_response(std::array<boost::asio::const_buffer, 2> request_start);
  std::size_t start_response_head();
  ParseStatus parse_response_head(std::size_t& pos);
  bool prepare_response_head(ParseStatus& status, std::size_t& pos, bool& until_close, Relay& r);
  void settle_response(bool until_close, Relay& r);
  bool response_closes(bool until_close) const;
  std::array<boost::asio::const_buffer, 2> response_start(ByteBuffer& ub, std::size_t body_from, std::size_t body_end);
  awaitable<bool> relay_interim(std::size_t head_end, Relay& r);
  awaitable<bool> stream_response_body(Relay& r);
  ProxyError upstream_failure() const {
    return transport_.upstream_timed_out() ? ProxyError::upstream_timeout : ProxyError::upstream_reset;
  }

  // --- upgraded connections (h1_tunnel.cc)
  awaitable<void> tunnel();
  template <typename From, typename To>
  awaitable<void> copy_stream(From& from, To& to, ByteBuffer& buffer, std::uint64_t& bytes);

  Worker& worker_;
  DownstreamTransport transport_;
  std::string client_ip_;
  Exchange exchange_;
  H1Client upstream_;
  std::size_t parse_pos_ = 0;
  ParseStatus head_status_ = ParseStatus::need_more;
  bool request_body_done_ = true;
  MessageParser request_parser_{MessageParser::Kind::request};
  std::string downstream_head_;
  ConnectionLimits limits_{};   // for the request being read (connection_limits.h)
  std::uint64_t requests_ = 0;  // on this connection, for --keepalive-requests
  bool last_request_ = false;   // this exchange is the last one allowed
};

}  // namespace sluice
