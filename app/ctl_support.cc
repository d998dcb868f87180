// The ctl views' shared pieces; see ctl_support.h.
#include "app/ctl_support.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <chrono>

namespace sluice::app {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr auto request_timeout = std::chrono::seconds(10);

void split_host_port(std::string_view at, std::string& host, std::string& port) {
  if (!at.empty() && at.front() == '[') {
    auto close = at.find(']');
    host = std::string(at.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    port = close != std::string_view::npos && close + 2 <= at.size() ? std::string(at.substr(close + 2)) : "";
    return;
  }
  auto colon = at.rfind(':');
  host = std::string(at.substr(0, colon));
  port = colon == std::string_view::npos ? "10254" : std::string(at.substr(colon + 1));
  if (host.empty()) host = "127.0.0.1";
}

}  // namespace

namespace dom = simdjson::dom;

// GET http://admin/target; returns false with `error` set when it failed.
bool admin_get(std::string_view admin, const std::string& target, int& status, std::string& body,
               std::string& error) {
  std::string host, port;
  split_host_port(admin, host, port);
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(request_timeout);
    stream.connect(resolver.resolve(host, port));
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, host);
    req.set(http::field::user_agent, "sluice-ctl");
    req.set(http::field::accept, "application/json");
    req.keep_alive(false);
    http::write(stream, req);
    beast::flat_buffer buffer;
    http::response<http::string_body> res;
    http::read(stream, buffer, res);
    status = res.result_int();
    body = std::move(res.body());
    beast::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    return true;
  } catch (const std::exception& e) {
    error = "cannot reach the admin listener at " + std::string(admin) + ": " + e.what();
    return false;
  }
}

std::string url_encode(std::string_view s) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '/') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 0xf];
    }
  }
  return out;
}

// "http://host:port/path?q" (or "host/path") -> the Host value and the target.
bool split_url(std::string_view url, std::string& host, std::string& path) {
  for (std::string_view scheme : {std::string_view("http://"), std::string_view("https://")}) {
    if (url.starts_with(scheme)) {
      url.remove_prefix(scheme.size());
      break;
    }
  }
  auto slash = url.find_first_of("/?");
  host = std::string(url.substr(0, slash));
  path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  if (!path.empty() && path.front() == '?') path.insert(path.begin(), '/');
  return !host.empty();
}

std::string str(dom::element e, std::string_view key) {
  std::string_view v;
  if (e[key].get_string().get(v)) return {};
  return std::string(v);
}

std::uint64_t num(dom::element e, std::string_view key) {
  dom::element v;
  if (e[key].get(v)) return 0;
  if (std::uint64_t u; !v.get_uint64().get(u)) return u;
  if (std::int64_t i; !v.get_int64().get(i)) return static_cast<std::uint64_t>(i < 0 ? 0 : i);
  return 0;
}

double real(dom::element e, std::string_view key) {
  dom::element v;
  if (e[key].get(v)) return 0;
  if (double d; !v.get_double().get(d)) return d;
  return static_cast<double>(num(e, key));
}

bool flag(dom::element e, std::string_view key) {
  bool b = false;
  if (e[key].get_bool().get(b)) return false;
  return b;
}

dom::array array_of(dom::element e, std::string_view key) {
  dom::array a;
  if (e[key].get_array().get(a)) return {};
  return a;
}

std::string Table::render(std::string_view indent) const {
  std::vector<std::size_t> width(rows_.front().size(), 0);
  for (const auto& r : rows_)
    for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
  std::string out;
  for (const auto& r : rows_) {
    std::string line(indent);
    for (std::size_t i = 0; i < r.size(); ++i) {
      line += r[i];
      if (i + 1 < r.size()) line.append(width[i] - r[i].size() + 2, ' ');
    }
    out += line + '\n';
  }
  return out;
}

}  // namespace sluice::app
