// Beast-based API client; see api_client.h.
#include "controller/source/k8s/api_client.h"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "common/k8s/json_value.h"
#include "common/log.h"

namespace sluice::controller::kube {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using asio::awaitable;
constexpr auto as_result = asio::as_tuple(asio::use_awaitable);

bool is_ip_address(const std::string& host) {
  boost::system::error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view v) {
  std::int64_t n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size() || n < 0) return std::nullopt;  // HTTP-date: ignored
  return std::chrono::seconds(std::min<std::int64_t>(n, 3600));
}

// Removes a tcp_stream from the client's open set when the exchange ends
// (also when the coroutine frame is destroyed without resuming).
struct OpenGuard {
  std::set<beast::tcp_stream*>& open;
  beast::tcp_stream* stream;
  ~OpenGuard() { open.erase(stream); }
};

// An idle keep-alive connection the server closed (or sent anything on)
// cannot carry a request: a non-blocking peek sees EOF, an error, or data.
bool peer_closed(beast::tcp_stream& s) {
  char byte;
  const ssize_t n = ::recv(s.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return !(n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK));
}

}  // namespace

std::string status_message(std::string_view body) {
  std::string error;
  if (auto v = k8s::parse_json(body, error)) {
    auto m = v->member("message");
    if (m->kind() == k8s::Value::type::scalar) return m->scalar();
  }
  std::string line(body.substr(0, body.find('\n')));
  if (line.size() > 200) line.resize(200);
  return line;
}

std::string ApiResponse::describe() const {
  if (error) return error_where + ": " + error.message();
  std::string out = "HTTP " + std::to_string(status);
  if (std::string m = status_message(body); !m.empty()) out += ": " + m;
  return out;
}

ApiClient::ApiClient(asio::io_context& io, ClusterConfig config)
    : io_(io), config_(std::move(config)) {
  const bool ipv6 = config_.host.find(':') != std::string::npos;
  host_header_ = ipv6 ? "[" + config_.host + "]" : config_.host;
  if (config_.port != (config_.tls ? "443" : "80")) host_header_ += ":" + config_.port;
  if (!config_.tls) return;
  ssl_.emplace(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ssl_->native_handle(), TLS1_2_VERSION);
  boost::system::error_code ec;
  if (config_.insecure_skip_tls_verify) {
    ssl_->set_verify_mode(ssl::verify_none);
  } else {
    ssl_->set_verify_mode(ssl::verify_peer);
    if (config_.ca_pem.empty())
      ssl_->set_default_verify_paths(ec);
    else
      ssl_->add_certificate_authority(asio::buffer(config_.ca_pem), ec);
    if (ec) throw std::runtime_error("cannot load the API server's CA certificate: " + ec.message());
  }
  if (!config_.client_cert_pem.empty()) {
    ssl_->use_certificate_chain(asio::buffer(config_.client_cert_pem), ec);
    if (ec) throw std::runtime_error("cannot load the client certificate: " + ec.message());
    ssl_->use_private_key(asio::buffer(config_.client_key_pem), ssl::context::pem, ec);
    if (ec) throw std::runtime_error("cannot load the client key: " + ec.message());
  }
}

const std::string& ApiClient::token() {
  if (config_.token_file.empty()) return config_.token;
  const auto now = std::chrono::steady_clock::now();
  if (token_read_at_ && now - *token_read_at_ < token_period_) return token_;
  std::ifstream in(config_.token_file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (in && !text.str().empty()) {
    std::string t = text.str();
    while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
    if (t != token_ && !token_.empty()) log::info("API token file changed, using the new token");
    token_ = std::move(t);
  } else {
    log::warn("cannot read the API token file, keeping the previous token",
              {{"file", config_.token_file}});
  }
  token_read_at_ = now;
  return token_;
}

void ApiClient::stop() {
  stopped_ = true;
  idle_.clear();
  // beast's close() is noexcept: it closes the socket with close(ec).
  for (beast::tcp_stream* s : std::set(open_)) s->close();
}

awaitable<ApiResponse> ApiClient::call(const ApiRequest& request) {
  return run(request, nullptr);
}

awaitable<ApiResponse> ApiClient::stream_lines(const ApiRequest& request,
                                               const std::function<bool(std::string_view)>& on_line) {
  return run(request, &on_line);
}

awaitable<ApiResponse> ApiClient::run(const ApiRequest& request,
                                      const std::function<bool(std::string_view)>* on_line) {
  auto self = shared_from_this();  // the frame keeps the client alive
  if (stopped_) {
    ApiResponse r;
    r.error = asio::error::operation_aborted;
    r.error_where = "stopped";
    co_return r;
  }
  ++requests_;
  if (on_line == nullptr) {
    if (std::unique_ptr<Connection> c = take_idle()) {
      Exchanged left;
      ApiResponse r = co_await exchange_on(*c, request, on_line, left);
      if (left.reusable) keep_idle(std::move(c));
      // The server may close an idle connection just as we send on it: then
      // nothing came back and a fresh connection retries. Not a POST (an
      // Event): the server might have acted on it before closing.
      if (!r.error || !left.nothing_received || request.method == http::verb::post || stopped_) co_return r;
      log::debug("reused API connection failed, reconnecting", {{"error", r.describe()}});
    }
  }
  auto c = std::make_unique<Connection>();
  if (ssl_)
    c->tls.emplace(io_, *ssl_);
  else
    c->plain.emplace(io_);
  ++connections_;
  Exchanged left;
  ApiResponse r = co_await exchange_on(*c, request, on_line, left, /*connect_first=*/true);
  if (left.reusable) keep_idle(std::move(c));
  co_return r;
}

awaitable<ApiResponse> ApiClient::exchange_on(Connection& c, const ApiRequest& request,
                                              const std::function<bool(std::string_view)>* on_line,
                                              Exchanged& left, bool connect_first) {
  beast::tcp_stream& tcp = c.tcp();
  open_.insert(&tcp);
  OpenGuard guard{open_, &tcp};
  if (c.tls) {
    if (connect_first)
      if (ApiResponse r = co_await connect(*c.tls, tcp); r.error) co_return r;
    co_return co_await exchange(*c.tls, tcp, request, on_line, left);
  }
  if (connect_first)
    if (ApiResponse r = co_await connect(*c.plain, tcp); r.error) co_return r;
  co_return co_await exchange(*c.plain, tcp, request, on_line, left);
}

std::unique_ptr<ApiClient::Connection> ApiClient::take_idle() {
  const auto now = std::chrono::steady_clock::now();
  while (!idle_.empty()) {
    std::unique_ptr<Connection> c = std::move(idle_.back());
    idle_.pop_back();
    if (now - c->idle_since < idle_timeout && !peer_closed(c->tcp())) return c;
  }
  return nullptr;
}

void ApiClient::keep_idle(std::unique_ptr<Connection> c) {
  if (stopped_) return;
  c->idle_since = std::chrono::steady_clock::now();
  idle_.push_back(std::move(c));
  if (idle_.size() > max_idle_connections) idle_.erase(idle_.begin());  // the least recently used
}

template <typename Body>
void ApiClient::prepare(Body& message, const ApiRequest& request) {
  message.method(request.method);
  message.target(config_.base_path + request.target);
  message.version(11);
  message.set(http::field::host, host_header_);
  message.set(http::field::user_agent, "sluice/0.1");
  message.set(http::field::accept, "application/json");
  if (const std::string& t = token(); !t.empty()) message.set(http::field::authorization, "Bearer " + t);
  if (!request.body.empty() || request.method == http::verb::post || request.method == http::verb::put ||
      request.method == http::verb::patch)
    message.set(http::field::content_type, request.content_type);
}

template <typename Stream>
awaitable<ApiResponse> ApiClient::connect(Stream& stream, beast::tcp_stream& tcp) {
  ApiResponse r;
  auto failed = [&r](boost::system::error_code ec, const char* where) {
    r.error = ec;
    r.error_where = where;
    return r;
  };
  tcp.expires_after(connect_timeout);
  asio::ip::tcp::resolver resolver(io_);
  auto [resolve_ec, endpoints] = co_await resolver.async_resolve(config_.host, config_.port, as_result);
  if (resolve_ec) co_return failed(resolve_ec, "resolve");
  if (stopped_) co_return failed(asio::error::operation_aborted, "stopped");
  auto [connect_ec, peer] = co_await tcp.async_connect(endpoints, as_result);
  (void)peer;
  if (connect_ec) co_return failed(connect_ec, "connect");
  if (stopped_) co_return failed(asio::error::operation_aborted, "stopped");

  if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
    const std::string& name = config_.tls_server_name.empty() ? config_.host : config_.tls_server_name;
    if (!is_ip_address(name)) SSL_set_tlsext_host_name(stream.native_handle(), name.c_str());
    if (!config_.insecure_skip_tls_verify) stream.set_verify_callback(ssl::host_name_verification(name));
    auto [hs_ec] = co_await stream.async_handshake(ssl::stream_base::client, as_result);
    if (hs_ec) co_return failed(hs_ec, "tls handshake");
  }
  co_return r;
}

template <typename Stream>
awaitable<ApiResponse> ApiClient::exchange(Stream& stream, beast::tcp_stream& tcp, const ApiRequest& request,
                                           const std::function<bool(std::string_view)>* on_line,
                                           Exchanged& left) {
  ApiResponse r;
  auto failed = [&r](boost::system::error_code ec, const char* where) {
    r.error = ec;
    r.error_where = where;
    return r;
  };

  tcp.expires_after(request.timeout);
  http::request<http::string_body> message;
  prepare(message, request);
  message.keep_alive(on_line == nullptr);  // a watch's connection ends with its stream
  message.body() = request.body;
  message.prepare_payload();
  left.nothing_received = true;
  auto [write_ec, written] = co_await http::async_write(stream, message, as_result);
  (void)written;
  if (write_ec) co_return failed(write_ec, "write");

  beast::flat_buffer buffer;
  http::response_parser<http::empty_body> head;
  head.body_limit(max_body_bytes);
  auto [head_ec, head_bytes] = co_await http::async_read_header(stream, buffer, head, as_result);
  left.nothing_received = head_ec && head_bytes == 0 && buffer.size() == 0;
  if (head_ec) co_return failed(head_ec, "read");
  r.status = head.get().result_int();
  if (auto it = head.get().find(http::field::retry_after); it != head.get().end())
    r.retry_after = parse_retry_after(it->value());

  if (on_line == nullptr || r.status != 200) {
    http::response_parser<http::string_body> whole(std::move(head));
    whole.body_limit(max_body_bytes);
    auto [body_ec, body_bytes] = co_await http::async_read(stream, buffer, whole, as_result);
    (void)body_bytes;
    if (body_ec) co_return failed(body_ec, "read");
    left.reusable = on_line == nullptr && whole.keep_alive() && !stopped_;
    r.body = std::move(whole.get().body());
    co_return r;
  }

  // A watch: feed each line as it completes.
  http::response_parser<http::buffer_body> streamed(std::move(head));
  streamed.body_limit(boost::none);
  std::vector<char> chunk(64 * 1024);
  std::string pending;
  std::size_t scanned = 0;  // bytes of `pending` known to hold no newline: a long line is scanned once
  while (!streamed.is_done()) {
    streamed.get().body().data = chunk.data();
    streamed.get().body().size = chunk.size();
    auto [ec, n] = co_await http::async_read_some(stream, buffer, streamed, as_result);
    (void)n;
    if (ec == http::error::need_buffer) ec = {};
    if (stopped_) co_return failed(asio::error::operation_aborted, "stopped");
    pending.append(chunk.data(), chunk.size() - streamed.get().body().size);
    std::size_t start = 0;
    for (std::size_t nl; (nl = pending.find('\n', std::max(start, scanned))) != std::string::npos; start = nl + 1) {
      std::string_view line(pending.data() + start, nl - start);
      if (line.ends_with('\r')) line.remove_suffix(1);
      if (!line.empty() && !(*on_line)(line)) co_return r;  // the caller is done with the stream
      if (stopped_) co_return failed(asio::error::operation_aborted, "stopped");
    }
    pending.erase(0, start);
    scanned = pending.size();
    if (pending.size() > max_line_bytes) co_return failed(http::error::body_limit, "read");
    if (ec) co_return failed(ec, "read");
  }
  co_return r;
}

}  // namespace sluice::controller::kube
