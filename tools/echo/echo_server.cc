// The echo backend: one io_context, thread and SO_REUSEPORT acceptor per
// worker; one coroutine per connection that parses with llhttp (strict),
// pauses the parser at the end of each request, answers it, and resumes.
// Responses to pipelined requests accumulate in one output buffer that is
// written before the next read, so a pipelining client costs one write per
// read. Per-connection buffers are reused across requests, so a keep-alive
// request allocates nothing on the plain-text path.
#include "tools/echo/echo_server.h"

#include <llhttp.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <random>
#include <string_view>
#include <thread>
#include <vector>

#include "common/strings.h"

namespace sluice::echo {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

constexpr std::size_t read_buffer_size = 16 * 1024;
// URL plus header names and values of one request; beyond this we answer 431.
constexpr std::size_t max_request_head_bytes = 64 * 1024;
// Request bodies up to this size get a SHA-256 in the response.
constexpr std::uint64_t max_hashed_body_bytes = 64 * 1024;
// Generated bodies (X-Echo-Body-Bytes) are written in slices of this size.
constexpr std::size_t body_slice_bytes = 64 * 1024;
constexpr long long max_delay_ms = 10 * 60 * 1000;
// Flush pipelined responses early once this much output has piled up.
constexpr std::size_t max_pending_output = 256 * 1024;

constexpr std::string_view body_alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
static_assert(body_alphabet.size() == 64 && body_slice_bytes % 64 == 0);

// Byte i of a generated body is body_alphabet[i % 64], so a client can verify it.
const char* body_pattern() {
  static const auto buffer = [] {
    auto b = std::make_unique<char[]>(body_slice_bytes);
    for (std::size_t i = 0; i < body_slice_bytes; ++i) b[i] = body_alphabet[i % 64];
    return b;
  }();
  return buffer.get();
}

// Worker-confined: the two date formats, recomputed at most once per second.
struct date_cache {
  std::time_t second = -1;
  char http[40] = {};   // Sun, 29 Aug 2021 16:25:41 GMT
  char nginx[40] = {};  // 29/Aug/2021:16:25:41 +0000
  std::size_t http_len = 0, nginx_len = 0;

  void refresh() {
    std::time_t now = std::time(nullptr);
    if (now == second) return;
    second = now;
    std::tm tm{};
    gmtime_r(&now, &tm);
    http_len = std::strftime(http, sizeof http, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    nginx_len = std::strftime(nginx, sizeof nginx, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  }
  std::string_view http_date() const { return {http, http_len}; }
  std::string_view nginx_date() const { return {nginx, nginx_len}; }
};

// Worker-confined: everything a worker's connections share.
struct worker_state {
  std::string server_name;
  date_cache dates;
  std::mt19937_64 rng{std::random_device{}()};
};

void append_hex(std::string& out, const unsigned char* p, std::size_t n) {
  static constexpr char digits[] = "0123456789abcdef";
  for (std::size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
}

void append_number(std::string& out, std::uint64_t v) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, r.ptr);
}

const char* reason_phrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 408: return "Request Timeout";
    case 413: return "Content Too Large";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Unknown";
  }
}

bool parse_u64(std::string_view s, std::uint64_t& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc{} && r.ptr == s.data() + s.size();
}

// Worker-confined: one request's head and body facts, kept in one arena whose
// capacity survives from request to request on a keep-alive connection.
struct request_state {
  struct span {
    std::uint32_t off = 0, len = 0;
  };
  struct header {
    span name, value;
  };
  enum hook { request_id, accept, echo_status, echo_delay, echo_body_bytes, echo_chunked,
              upgrade, ws_key, expect, hook_count };

  std::string arena;
  std::vector<header> headers;
  span url;
  span current_name;
  std::array<int, hook_count> hooks{};
  std::uint64_t body_bytes = 0;
  bool hashing = false;
  bool head_too_large = false;
  bool bad_version = false;

  void reset() {
    arena.clear();
    headers.clear();
    url = {};
    current_name = {};
    hooks.fill(-1);
    body_bytes = 0;
    hashing = false;
    head_too_large = false;
    bad_version = false;
  }
  std::string_view view(span s) const { return {arena.data() + s.off, s.len}; }
  std::string_view hook_value(hook h) const {
    return hooks[h] < 0 ? std::string_view{} : view(headers[static_cast<std::size_t>(hooks[h])].value);
  }
  bool has(hook h) const { return hooks[h] >= 0; }
};

// Worker-confined: one accepted connection (owned by its session coroutine).
struct connection {
  llhttp_t parser;
  request_state req;
  std::string out;   // pending response bytes, written before the next read
  std::string body;  // scratch for the text/JSON body of the current response
  std::string body_sha256;  // hex SHA-256 of the current request body, when small enough
  std::unique_ptr<char[]> in{new char[read_buffer_size]};
  EVP_MD_CTX* sha = nullptr;
  std::string local_address;
  std::string remote_address;
  worker_state* worker = nullptr;

  connection() { req.reset(); }
  ~connection() {
    if (sha) EVP_MD_CTX_free(sha);
  }
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
};

connection& conn_of(llhttp_t* p) { return *static_cast<connection*>(p->data); }

int append_to_arena(llhttp_t* p, const char* at, std::size_t len) {
  auto& r = conn_of(p).req;
  if (r.arena.size() + len > max_request_head_bytes) {
    r.head_too_large = true;
    llhttp_set_error_reason(p, "request head too large");
    return HPE_USER;
  }
  r.arena.append(at, len);
  return 0;
}

int on_message_begin(llhttp_t* p) {
  conn_of(p).req.reset();
  return 0;
}
int on_url(llhttp_t* p, const char* at, std::size_t len) { return append_to_arena(p, at, len); }
int on_url_complete(llhttp_t* p) {
  auto& r = conn_of(p).req;
  r.url = {0, static_cast<std::uint32_t>(r.arena.size())};
  return 0;
}
int on_header_field(llhttp_t* p, const char* at, std::size_t len) {
  return append_to_arena(p, at, len);
}
int on_header_field_complete(llhttp_t* p) {
  auto& r = conn_of(p).req;
  auto end = static_cast<std::uint32_t>(r.arena.size());
  // llhttp 8 accepts "Name : value"; a request smuggling classic, so refuse it here too.
  if (!r.arena.empty() && (r.arena.back() == ' ' || r.arena.back() == '\t')) {
    llhttp_set_error_reason(p, "whitespace before the colon");
    return HPE_USER;
  }
  std::uint32_t start = r.headers.empty() ? r.url.off + r.url.len
                                          : r.headers.back().value.off + r.headers.back().value.len;
  r.current_name = {start, end - start};
  return 0;
}
int on_header_value(llhttp_t* p, const char* at, std::size_t len) {
  return append_to_arena(p, at, len);
}
int on_header_value_complete(llhttp_t* p) {
  auto& r = conn_of(p).req;
  std::uint32_t start = r.current_name.off + r.current_name.len;
  r.headers.push_back({r.current_name, {start, static_cast<std::uint32_t>(r.arena.size()) - start}});
  std::string_view name = r.view(r.current_name);
  int index = static_cast<int>(r.headers.size() - 1);
  using h = request_state::hook;
  auto mark = [&](h which) { r.hooks[which] = index; };
  if (name.size() < 6) return 0;
  char c = ascii_lower(name[0]);
  if (c == 'x') {
    if (iequals(name, "x-request-id")) mark(h::request_id);
    else if (iequals(name, "x-echo-status")) mark(h::echo_status);
    else if (iequals(name, "x-echo-delay-ms")) mark(h::echo_delay);
    else if (iequals(name, "x-echo-body-bytes")) mark(h::echo_body_bytes);
    else if (iequals(name, "x-echo-chunked")) mark(h::echo_chunked);
  } else if (c == 'a') {
    if (iequals(name, "accept")) mark(h::accept);
  } else if (c == 'u') {
    if (iequals(name, "upgrade")) mark(h::upgrade);
  } else if (c == 's') {
    if (iequals(name, "sec-websocket-key")) mark(h::ws_key);
  } else if (c == 'e') {
    if (iequals(name, "expect")) mark(h::expect);
  }
  return 0;
}
int on_headers_complete(llhttp_t* p) {
  auto& c = conn_of(p);
  if (p->http_major != 1) {
    c.req.bad_version = true;
    llhttp_set_error_reason(p, "unsupported HTTP version");
    return HPE_USER;
  }
  if (c.req.has(request_state::expect) && p->http_major == 1 && p->http_minor >= 1 &&
      iequals(c.req.hook_value(request_state::expect), "100-continue"))
    c.out += "HTTP/1.1 100 Continue\r\n\r\n";  // written before we read the body
  return 0;
}
int on_body(llhttp_t* p, const char* at, std::size_t len) {
  auto& c = conn_of(p);
  auto& r = c.req;
  if (r.body_bytes == 0) {
    if (!c.sha) c.sha = EVP_MD_CTX_new();
    r.hashing = c.sha && EVP_DigestInit_ex(c.sha, EVP_sha256(), nullptr) == 1;
  }
  r.body_bytes += len;
  if (r.hashing) {
    if (r.body_bytes <= max_hashed_body_bytes) EVP_DigestUpdate(c.sha, at, len);
    else r.hashing = false;
  }
  return 0;
}
int on_message_complete(llhttp_t* p) {
  // An upgrade makes llhttp_execute return HPE_PAUSED_UPGRADE by itself.
  return p->upgrade ? 0 : HPE_PAUSED;
}

const llhttp_settings_t& parser_settings() {
  static const llhttp_settings_t settings = [] {
    llhttp_settings_t s;
    llhttp_settings_init(&s);
    s.on_message_begin = on_message_begin;
    s.on_url = on_url;
    s.on_url_complete = on_url_complete;
    s.on_header_field = on_header_field;
    s.on_header_field_complete = on_header_field_complete;
    s.on_header_value = on_header_value;
    s.on_header_value_complete = on_header_value_complete;
    s.on_headers_complete = on_headers_complete;
    s.on_body = on_body;
    s.on_message_complete = on_message_complete;
    return s;
  }();
  return settings;
}

// What to do for one complete request, decided before any byte is written.
struct response_plan {
  int status = 200;
  bool head = false;
  bool keep_alive = true;
  bool chunked = false;
  bool generated_body = false;  // X-Echo-Body-Bytes
  std::uint64_t generated_bytes = 0;
  long long delay_ms = 0;
  bool websocket = false;
  bool json = false;
};

response_plan plan_for(const connection& c) {
  const auto& r = c.req;
  using h = request_state::hook;
  response_plan plan;
  plan.head = c.parser.method == HTTP_HEAD;
  plan.keep_alive = llhttp_should_keep_alive(&c.parser) != 0;
  bool http11 = c.parser.http_major == 1 && c.parser.http_minor >= 1;
  std::uint64_t v = 0;
  if (r.has(h::echo_status) && parse_u64(r.hook_value(h::echo_status), v) && v >= 200 && v <= 599)
    plan.status = static_cast<int>(v);
  if (r.has(h::echo_delay) && parse_u64(r.hook_value(h::echo_delay), v))
    plan.delay_ms = static_cast<long long>(std::min<std::uint64_t>(v, max_delay_ms));
  if (r.has(h::echo_body_bytes) && parse_u64(r.hook_value(h::echo_body_bytes), v)) {
    plan.generated_body = true;
    plan.generated_bytes = v;
  }
  // Chunked responses need HTTP/1.1 on the other side.
  plan.chunked = http11 && r.has(h::echo_chunked) && r.hook_value(h::echo_chunked) == "1";
  plan.json = r.has(h::accept) && r.hook_value(h::accept).find("application/json") != std::string_view::npos;
  if (c.parser.upgrade && c.parser.method != HTTP_CONNECT) {
    std::string_view url = r.view(r.url);
    url = url.substr(0, url.find('?'));
    plan.websocket = url == "/ws" && iequals(r.hook_value(h::upgrade), "websocket") &&
                     r.has(h::ws_key);
  }
  return plan;
}

void build_body(connection& c, const response_plan& plan, std::string_view request_id) {
  auto& b = c.body;
  const auto& r = c.req;
  b.clear();
  auto& dates = c.worker->dates;
  if (!plan.json) {
    b += "Server address: ";
    b += c.local_address;
    b += "\nServer name: ";
    b += c.worker->server_name;
    b += "\nDate: ";
    b += dates.nginx_date();
    b += "\nURI: ";
    b += r.view(r.url);
    b += "\nRequest ID: ";
    b += request_id;
    b += '\n';
    return;
  }
  b += "{\"server_address\":";
  append_json_string(b, c.local_address);
  b += ",\"server_name\":";
  append_json_string(b, c.worker->server_name);
  b += ",\"date\":";
  append_json_string(b, dates.nginx_date());
  b += ",\"uri\":";
  append_json_string(b, r.view(r.url));
  b += ",\"request_id\":";
  append_json_string(b, request_id);
  b += ",\"method\":";
  append_json_string(b, llhttp_method_name(static_cast<llhttp_method_t>(c.parser.method)));
  b += ",\"version\":\"HTTP/";
  b += static_cast<char>('0' + c.parser.http_major);
  b += '.';
  b += static_cast<char>('0' + c.parser.http_minor);
  b += "\",\"remote_address\":";
  append_json_string(b, c.remote_address);
  b += ",\"headers\":[";
  for (std::size_t i = 0; i < r.headers.size(); ++i) {
    if (i) b += ',';
    b += '[';
    append_json_string(b, r.view(r.headers[i].name));
    b += ',';
    append_json_string(b, r.view(r.headers[i].value));
    b += ']';
  }
  b += "],\"body_bytes\":";
  append_number(b, r.body_bytes);
  if (!c.body_sha256.empty()) {
    b += ",\"body_sha256\":\"";
    b += c.body_sha256;
    b += '"';
  }
  b += "}\n";
}

// Appends the status line and headers (and the small body, if any) to c.out.
void build_response(connection& c, const response_plan& plan) {
  auto& r = c.req;
  auto& o = c.out;
  auto& w = *c.worker;
  w.dates.refresh();

  char id_buf[32];
  std::string_view request_id = r.hook_value(request_state::request_id);
  if (!r.has(request_state::request_id)) {
    static constexpr char digits[] = "0123456789abcdef";
    std::uint64_t a = w.rng(), b = w.rng();
    for (int i = 0; i < 16; ++i) id_buf[i] = digits[(a >> (i * 4)) & 15];
    for (int i = 0; i < 16; ++i) id_buf[16 + i] = digits[(b >> (i * 4)) & 15];
    request_id = {id_buf, 32};
  }

  c.body_sha256.clear();
  if (r.body_bytes > 0 && r.hashing) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_DigestFinal_ex(c.sha, md, &md_len) == 1) append_hex(c.body_sha256, md, md_len);
  }

  bool no_body_status = plan.status == 204 || plan.status == 304;
  if (!plan.generated_body && !no_body_status) build_body(c, plan, request_id);

  o += "HTTP/1.1 ";
  append_number(o, static_cast<std::uint64_t>(plan.status));
  o += ' ';
  o += reason_phrase(plan.status);
  o += "\r\nServer: sluice-echo\r\nDate: ";
  o += w.dates.http_date();
  o += "\r\nX-Request-ID: ";
  o += request_id;
  if (r.body_bytes > 0) {
    o += "\r\nX-Echo-Body-Received: ";
    append_number(o, r.body_bytes);
    if (!c.body_sha256.empty()) {
      o += "\r\nX-Echo-Body-Sha256: ";
      o += c.body_sha256;
    }
  }
  if (!no_body_status) {
    o += plan.generated_body ? "\r\nContent-Type: application/octet-stream"
         : plan.json         ? "\r\nContent-Type: application/json"
                             : "\r\nContent-Type: text/plain";
    if (plan.chunked) {
      o += "\r\nTransfer-Encoding: chunked";
    } else {
      o += "\r\nContent-Length: ";
      append_number(o, plan.generated_body ? plan.generated_bytes : c.body.size());
    }
  }
  if (!plan.keep_alive) o += "\r\nConnection: close";
  else if (c.parser.http_major == 1 && c.parser.http_minor == 0) o += "\r\nConnection: keep-alive";
  o += "\r\n\r\n";
  if (plan.head || no_body_status || plan.generated_body) return;
  if (plan.chunked) {
    char size[20];
    int n = std::snprintf(size, sizeof size, "%zx\r\n", c.body.size());
    o.append(size, static_cast<std::size_t>(n));
    o += c.body;
    o += "\r\n0\r\n\r\n";
  } else {
    o += c.body;
  }
}

void build_websocket_accept(connection& c) {
  std::string key(c.req.hook_value(request_state::ws_key));
  key += "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int md_len = 0;
  EVP_Digest(key.data(), key.size(), md, &md_len, EVP_sha1(), nullptr);
  unsigned char b64[64];
  int n = EVP_EncodeBlock(b64, md, static_cast<int>(md_len));
  c.out += "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Accept: ";
  c.out.append(reinterpret_cast<const char*>(b64), static_cast<std::size_t>(n));
  c.out += "\r\n\r\n";
}

asio::awaitable<bool> flush(tcp::socket& sock, std::string& out) {
  if (out.empty()) co_return true;
  auto [ec, n] = co_await asio::async_write(sock, asio::buffer(out), use_nothrow);
  out.clear();
  co_return !ec;
}

// Writes a generated body of `bytes` bytes from the fixed pattern buffer.
asio::awaitable<bool> write_generated_body(tcp::socket& sock, std::uint64_t bytes, bool chunked) {
  const char* pattern = body_pattern();
  while (bytes > 0) {
    std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(bytes, body_slice_bytes));
    if (chunked) {
      char size[20];
      int len = std::snprintf(size, sizeof size, "%zx\r\n", n);
      std::array<asio::const_buffer, 3> bufs{asio::buffer(size, static_cast<std::size_t>(len)),
                                             asio::buffer(pattern, n), asio::buffer("\r\n", 2)};
      auto [ec, w] = co_await asio::async_write(sock, bufs, use_nothrow);
      if (ec) co_return false;
    } else {
      auto [ec, w] = co_await asio::async_write(sock, asio::buffer(pattern, n), use_nothrow);
      if (ec) co_return false;
    }
    bytes -= n;
  }
  if (chunked) {
    auto [ec, w] = co_await asio::async_write(sock, asio::buffer("0\r\n\r\n", 5), use_nothrow);
    if (ec) co_return false;
  }
  co_return true;
}

// After a 101: echo every byte back until the client closes.
asio::awaitable<void> echo_raw(tcp::socket& sock, connection& c, const char* rest, std::size_t len) {
  if (len > 0) {
    auto [ec, w] = co_await asio::async_write(sock, asio::buffer(rest, len), use_nothrow);
    if (ec) co_return;
  }
  for (;;) {
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(c.in.get(), read_buffer_size), use_nothrow);
    if (ec) break;
    auto [wec, w] = co_await asio::async_write(sock, asio::buffer(c.in.get(), n), use_nothrow);
    if (wec) co_return;
  }
  boost::system::error_code ignored;
  sock.shutdown(tcp::socket::shutdown_send, ignored);
}

void close_gracefully(tcp::socket& sock) {
  boost::system::error_code ignored;
  sock.shutdown(tcp::socket::shutdown_send, ignored);
  sock.close(ignored);
}

asio::awaitable<void> run_session(tcp::socket sock, worker_state& worker) {
  auto c = std::make_unique<connection>();
  c->worker = &worker;
  {
    boost::system::error_code ec;
    c->local_address = endpoint_to_string(sock.local_endpoint(ec));
    c->remote_address = endpoint_to_string(sock.remote_endpoint(ec));
    sock.set_option(tcp::no_delay(true), ec);
  }
  llhttp_init(&c->parser, HTTP_REQUEST, &parser_settings());
  c->parser.data = c.get();

  for (;;) {
    if (!co_await flush(sock, c->out)) co_return;
    auto [ec, n] = co_await sock.async_read_some(asio::buffer(c->in.get(), read_buffer_size), use_nothrow);
    if (ec) {
      // A client that closes mid-request gets nothing; one that closes between requests is done.
      co_return;
    }
    const char* p = c->in.get();
    std::size_t len = n;
    while (len > 0) {
      llhttp_errno_t err = llhttp_execute(&c->parser, p, len);
      if (err == HPE_OK) break;
      if (err != HPE_PAUSED && err != HPE_PAUSED_UPGRADE) {
        c->out += c->req.head_too_large ? "HTTP/1.1 431 Request Header Fields Too Large\r\n"
                  : c->req.bad_version  ? "HTTP/1.1 505 HTTP Version Not Supported\r\n"
                                        : "HTTP/1.1 400 Bad Request\r\n";
        c->out += "Server: sluice-echo\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ";
        std::string_view reason = llhttp_errno_name(err);
        append_number(c->out, reason.size() + 1);
        c->out += "\r\n\r\n";
        c->out += reason;
        c->out += '\n';
        co_await flush(sock, c->out);
        close_gracefully(sock);
        co_return;
      }
      const char* stop = llhttp_get_error_pos(&c->parser);
      len -= static_cast<std::size_t>(stop - p);
      p = stop;

      response_plan plan = plan_for(*c);
      if (plan.delay_ms > 0) {
        if (!co_await flush(sock, c->out)) co_return;
        asio::steady_timer timer(sock.get_executor(), std::chrono::milliseconds(plan.delay_ms));
        co_await timer.async_wait(use_nothrow);
      }
      if (plan.websocket) {
        build_websocket_accept(*c);
        if (!co_await flush(sock, c->out)) co_return;
        co_await echo_raw(sock, *c, p, len);
        co_return;
      }
      build_response(*c, plan);
      if (plan.generated_body && !plan.head && plan.status != 204 && plan.status != 304) {
        if (!co_await flush(sock, c->out)) co_return;
        if (!co_await write_generated_body(sock, plan.generated_bytes, plan.chunked)) co_return;
      }
      if (!plan.keep_alive) {
        co_await flush(sock, c->out);
        close_gracefully(sock);
        co_return;
      }
      if (c->out.size() > max_pending_output && !co_await flush(sock, c->out)) co_return;
      if (err == HPE_PAUSED_UPGRADE) llhttp_resume_after_upgrade(&c->parser);
      else llhttp_resume(&c->parser);
    }
  }
}

asio::awaitable<void> accept_loop(tcp::acceptor& acceptor, worker_state& worker) {
  for (;;) {
    auto [ec, sock] = co_await acceptor.async_accept(use_nothrow);
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor.is_open()) co_return;
      // Out of descriptors or similar: back off briefly instead of spinning.
      asio::steady_timer timer(acceptor.get_executor(), std::chrono::milliseconds(10));
      co_await timer.async_wait(use_nothrow);
      continue;
    }
    asio::co_spawn(acceptor.get_executor(), run_session(std::move(sock), worker), asio::detached);
  }
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  return buf;
}

}  // namespace

std::string endpoint_to_string(const boost::asio::ip::tcp::endpoint& ep) {
  std::string s = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  s += ':';
  s += std::to_string(ep.port());
  return s;
}

// One worker: declared io_context first so the acceptor is destroyed before it.
struct echo_worker {
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  worker_state state;
  std::thread thread;
};

struct echo_server::impl {
  std::vector<std::unique_ptr<echo_worker>> workers;
  tcp::endpoint bound;
};

echo_server::echo_server(echo_config config) : impl_(std::make_unique<impl>()) {
  if (config.threads < 1) config.threads = 1;
  if (config.name.empty()) config.name = host_name();
  tcp::endpoint ep = config.listen;
  for (int i = 0; i < config.threads; ++i) {
    auto w = std::make_unique<echo_worker>();
    w->state.server_name = config.name;
    w->acceptor.open(ep.protocol());
    w->acceptor.set_option(tcp::acceptor::reuse_address(true));
    int one = 1;
    if (::setsockopt(w->acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      throw boost::system::system_error(errno, boost::system::system_category(), "SO_REUSEPORT");
    w->acceptor.bind(ep);
    w->acceptor.listen(asio::socket_base::max_listen_connections);
    if (i == 0) {
      ep = w->acceptor.local_endpoint();  // the others share the real port
      impl_->bound = ep;
    }
    impl_->workers.push_back(std::move(w));
  }
}

echo_server::~echo_server() {
  stop();
  join();
}

tcp::endpoint echo_server::local_endpoint() const { return impl_->bound; }

void echo_server::start() {
  for (auto& w : impl_->workers) {
    asio::co_spawn(w->io, accept_loop(w->acceptor, w->state), asio::detached);
    w->thread = std::thread([io = &w->io] { io->run(); });
  }
}

void echo_server::stop() {
  for (auto& w : impl_->workers) w->io.stop();
}

void echo_server::join() {
  for (auto& w : impl_->workers)
    if (w->thread.joinable()) w->thread.join();
}

}  // namespace sluice::echo
