// AdminServer on Boost.Beast: one small request at a time per connection,
// each read and write bounded by a timeout.
#include "proxy/server/admin_server.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "proxy/server/escaped_exception.h"
#include "proxy/server/listener.h"

namespace sluice {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto admin_timeout = std::chrono::seconds(10);
constexpr std::size_t admin_max_request_bytes = 16 * 1024;

asio::awaitable<void> serve_admin(tcp::socket socket, const AdminServer& server) {
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::empty_body> parser;
    parser.header_limit(admin_max_request_bytes);
    stream.expires_after(admin_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (ec) break;
    const auto& req = parser.get();
    AdminResponse r = req.method() == http::verb::get || req.method() == http::verb::head
                          ? server.dispatch(req.target())
                          : AdminResponse{405, "text/plain; charset=utf-8", "only GET is served here\n"};
    http::response<http::string_body> res{static_cast<http::status>(r.status), req.version()};
    res.set(http::field::server, "sluice");
    res.set(http::field::content_type, r.content_type);
    res.keep_alive(req.keep_alive());
    res.body() = std::move(r.body);
    res.prepare_payload();
    stream.expires_after(admin_timeout);
    auto [wec, w] = co_await http::async_write(stream, res, asio::as_tuple(asio::use_awaitable));
    if (wec || !res.keep_alive()) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

AdminServer::AdminServer(asio::io_context& context, const tcp::endpoint& at)
    : acceptor_(open_listener(context, at)), retry_timer_(context) {}

void AdminServer::start() { accept_next(); }

void AdminServer::stop() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
}

AdminResponse AdminServer::dispatch(std::string_view target) const {
  std::string_view path = target;
  std::string_view query;
  if (auto q = target.find('?'); q != std::string_view::npos) {
    path = target.substr(0, q);
    query = target.substr(q + 1);
  }
  auto it = handlers_.find(path);
  if (it == handlers_.end()) return {404, "text/plain; charset=utf-8", "not found\n"};
  return it->second(query);
}

void AdminServer::accept_next() {
  acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) return accept_later();  // out of fds, most likely: retrying at once would spin
    asio::co_spawn(acceptor_.get_executor(), serve_admin(std::move(socket), *this),
                   [](std::exception_ptr e) { log_escaped_exception(e, "admin request"); });
    accept_next();
  });
}

// A scrape every 100 ms at worst while the process has no fds to spare.
void AdminServer::accept_later() {
  retry_timer_.expires_after(std::chrono::milliseconds(100));
  retry_timer_.async_wait([this](boost::system::error_code ec) {
    if (!ec && acceptor_.is_open()) accept_next();
  });
}

}  // namespace sluice
