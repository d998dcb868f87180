// The echo backend's answers: the plan a request's X-Echo-* headers ask for,
// and its bytes (status line, headers, the text or JSON body) appended to the
// connection's output buffer, which keeps its capacity across requests.
#include "tools/echo/response.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <memory>

#include "common/strings.h"

namespace sluice::echo {
namespace {

constexpr long long max_delay_ms = 10 * 60 * 1000;

constexpr std::string_view body_alphabet =
    "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_";
static_assert(body_alphabet.size() == 64 && body_slice_bytes % 64 == 0);

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

void build_body(Connection& c, const ResponsePlan& plan, std::string_view request_id) {
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

// The X-Request-ID the client sent, or a random one written into `buf`.
std::string_view request_id_of(const RequestState& r, WorkerState& w, char (&buf)[32]) {
  if (r.has(RequestState::request_id)) return r.hook_value(RequestState::request_id);
  static constexpr char digits[] = "0123456789abcdef";
  std::uint64_t a = w.rng(), b = w.rng();
  for (int i = 0; i < 16; ++i) buf[i] = digits[(a >> (i * 4)) & 15];
  for (int i = 0; i < 16; ++i) buf[16 + i] = digits[(b >> (i * 4)) & 15];
  return {buf, 32};
}

// c.body_sha256: the hex SHA-256 of the request body, when it was small enough to hash.
void finish_body_hash(Connection& c) {
  c.body_sha256.clear();
  if (c.req.body_bytes > 0 && c.req.hashing) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int md_len = 0;
    if (EVP_DigestFinal_ex(c.sha, md, &md_len) == 1) append_hex(c.body_sha256, md, md_len);
  }
}

}  // namespace

void DateCache::refresh() {
  std::time_t now = std::time(nullptr);
  if (now == second) return;
  second = now;
  std::tm tm{};
  gmtime_r(&now, &tm);
  http_len = std::strftime(http, sizeof http, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  nginx_len = std::strftime(nginx, sizeof nginx, "%d/%b/%Y:%H:%M:%S +0000", &tm);
}

const char* body_pattern() {
  static const auto buffer = [] {
    auto b = std::make_unique<char[]>(body_slice_bytes);
    for (std::size_t i = 0; i < body_slice_bytes; ++i) b[i] = body_alphabet[i % 64];
    return b;
  }();
  return buffer.get();
}

ResponsePlan plan_for(const Connection& c) {
  const auto& r = c.req;
  using h = RequestState::Hook;
  ResponsePlan plan;
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

// Appends the status line and headers (and the small body, if any) to c.out.
void build_response(Connection& c, const ResponsePlan& plan) {
  auto& r = c.req;
  auto& o = c.out;
  auto& w = *c.worker;
  w.dates.refresh();

  char id_buf[32];
  std::string_view request_id = request_id_of(r, w, id_buf);
  finish_body_hash(c);

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

void build_websocket_accept(Connection& c) {
  std::string key(c.req.hook_value(RequestState::ws_key));
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

void build_parse_error(Connection& c, llhttp_errno_t err) {
  c.out += c.req.head_too_large ? "HTTP/1.1 431 Request Header Fields Too Large\r\n"
           : c.req.bad_version  ? "HTTP/1.1 505 HTTP Version Not Supported\r\n"
                                : "HTTP/1.1 400 Bad Request\r\n";
  c.out += "Server: sluice-echo\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: ";
  std::string_view reason = llhttp_errno_name(err);
  append_number(c.out, reason.size() + 1);
  c.out += "\r\n\r\n";
  c.out += reason;
  c.out += '\n';
}

}  // namespace sluice::echo
