// An HTTP/1.1 client for the Kubernetes API server on the controller's
// io_context (Boost.Beast, OpenSSL for https): one-shot calls and streamed
// watch responses, bearer tokens re-read from their file.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>

#include "controller/source/k8s/cluster_config.h"

namespace sluice::controller::kube {

// any thread (immutable)
struct ApiRequest {
  boost::beast::http::verb method = boost::beast::http::verb::get;
  std::string target;  // path and query, without the server's base path
  std::string body;
  std::string content_type = "application/json";
  std::chrono::milliseconds timeout{30'000};  // the whole exchange
};

// any thread (immutable)
struct ApiResponse {
  boost::system::error_code error;  // transport failure; then status is 0
  std::string error_where;          // "connect", "tls handshake", "read", ...
  unsigned status = 0;
  std::string body;  // for a stream: the body of a non-200 answer only
  std::optional<std::chrono::seconds> retry_after;

  bool ok() const { return !error && status >= 200 && status < 300; }
  // One line for logs: "HTTP 500: etcd is down" or "connect: Connection refused".
  std::string describe() const;
};

// controller-confined. Shared (shared_ptr) by every component that calls the
// API; coroutines keep it alive while they run. stop() closes every open
// connection and makes later calls fail at once with operation_aborted.
// call() reuses keep-alive connections (at most max_idle_connections kept
// idle, as client-go's transport does); each watch has a connection of its own.
class ApiClient : public std::enable_shared_from_this<ApiClient> {
 public:
  static constexpr std::size_t max_body_bytes = 256u << 20;      // one LIST page or answer
  static constexpr std::size_t max_line_bytes = 64u << 20;       // one watch event
  static constexpr std::chrono::seconds connect_timeout{10};     // TCP + TLS handshake
  static constexpr std::chrono::seconds token_reread_period{60};  // client-go's cached file token
  static constexpr std::size_t max_idle_connections = 4;          // kept for call()
  static constexpr std::chrono::seconds idle_timeout{90};         // Go's IdleConnTimeout

  // Throws std::runtime_error when the TLS material in `config` is unusable.
  ApiClient(boost::asio::io_context& io, ClusterConfig config);
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // One request and its whole response. Coroutine arguments here are
  // references: callers co_await at once and pass named objects (GCC 12
  // destroys some by-value coroutine arguments twice).
  boost::asio::awaitable<ApiResponse> call(const ApiRequest& request);

  // Sends `request` (a GET); on 200 calls on_line for each newline-terminated line of
  // the body as it arrives (without the newline) until the body ends, the
  // deadline passes, or on_line returns false. The result's status is the
  // answer's; `error` is set when the stream broke (eof before the end of a
  // chunked body, reset, timeout).
  boost::asio::awaitable<ApiResponse> stream_lines(const ApiRequest& request,
                                                   const std::function<bool(std::string_view)>& on_line);

  // After a 401: the next request re-reads the token file.
  void invalidate_token() { token_read_at_.reset(); }
  void stop();
  bool stopped() const { return stopped_; }
  const ClusterConfig& config() const { return config_; }
  std::uint64_t requests() const { return requests_; }
  std::uint64_t connections() const { return connections_; }  // opened since start
  // Tests shorten the token file re-read period.
  void set_token_reread_period_for_test(std::chrono::milliseconds p) { token_period_ = p; }

 private:
  // One connection to the API server, plain or TLS.
  struct Connection {
    std::optional<boost::beast::tcp_stream> plain;
    std::optional<boost::asio::ssl::stream<boost::beast::tcp_stream>> tls;
    std::chrono::steady_clock::time_point idle_since{};
    boost::beast::tcp_stream& tcp() { return tls ? tls->next_layer() : *plain; }
  };
  // What an exchange left of its connection.
  struct Exchanged {
    bool reusable = false;          // the whole response read, keep-alive: back to the pool
    bool nothing_received = false;  // failed before any byte of an answer came back
  };
  template <typename Stream>
  boost::asio::awaitable<ApiResponse> connect(Stream& stream, boost::beast::tcp_stream& tcp);
  template <typename Stream>
  boost::asio::awaitable<ApiResponse> exchange(Stream& stream, boost::beast::tcp_stream& tcp,
                                               const ApiRequest& request,
                                               const std::function<bool(std::string_view)>* on_line,
                                               Exchanged& left);
  boost::asio::awaitable<ApiResponse> exchange_on(Connection& c, const ApiRequest& request,
                                                  const std::function<bool(std::string_view)>* on_line,
                                                  Exchanged& left, bool connect_first = false);
  std::unique_ptr<Connection> take_idle();
  void keep_idle(std::unique_ptr<Connection> c);
  template <typename Body>
  void prepare(Body& message, const ApiRequest& request);
  boost::asio::awaitable<ApiResponse> run(const ApiRequest& request,
                                          const std::function<bool(std::string_view)>* on_line);
  const std::string& token();

  boost::asio::io_context& io_;
  ClusterConfig config_;
  std::optional<boost::asio::ssl::context> ssl_;
  std::string host_header_;
  std::string token_;
  std::optional<std::chrono::steady_clock::time_point> token_read_at_;
  std::chrono::milliseconds token_period_ = token_reread_period;
  std::set<boost::beast::tcp_stream*> open_;  // closed by stop()
  std::vector<std::unique_ptr<Connection>> idle_;  // most recently used last
  bool stopped_ = false;
  std::uint64_t requests_ = 0;
  std::uint64_t connections_ = 0;
};

// The `message` of a Kubernetes Status body, or the body's first line.
std::string status_message(std::string_view body);

}  // namespace sluice::controller::kube
