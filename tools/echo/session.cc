// The echo backend's session: one coroutine per connection that parses with
// llhttp (strict), pauses the parser at the end of each request, answers it,
// and resumes. Responses to pipelined requests accumulate in one output buffer
// that is written before the next read, so a pipelining client costs one write
// per read. Per-connection buffers are reused across requests, so a keep-alive
// request allocates nothing on the plain-text path.
#include "tools/echo/session.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <memory>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "tools/echo/echo_server.h"

namespace sluice::echo {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

// Flush pipelined responses early once this much output has piled up.
constexpr std::size_t max_pending_output = 256 * 1024;

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
asio::awaitable<void> echo_raw(tcp::socket& sock, Connection& c, const char* rest, std::size_t len) {
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

std::unique_ptr<Connection> make_connection(tcp::socket& sock, WorkerState& worker) {
  auto c = std::make_unique<Connection>();
  c->worker = &worker;
  {
    boost::system::error_code ec;
    c->local_address = endpoint_to_string(sock.local_endpoint(ec));
    c->remote_address = endpoint_to_string(sock.remote_endpoint(ec));
    sock.set_option(tcp::no_delay(true), ec);
  }
  llhttp_init(&c->parser, HTTP_REQUEST, &parser_settings());
  c->parser.data = c.get();
  return c;
}

}  // namespace

asio::awaitable<void> run_session(tcp::socket sock, WorkerState& worker) {
  auto c = make_connection(sock, worker);
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
        build_parse_error(*c, err);
        co_await flush(sock, c->out);
        close_gracefully(sock);
        co_return;
      }
      const char* stop = llhttp_get_error_pos(&c->parser);
      len -= static_cast<std::size_t>(stop - p);
      p = stop;

      ResponsePlan plan = plan_for(*c);
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

}  // namespace sluice::echo
