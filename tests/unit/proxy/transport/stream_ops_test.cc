// stream_ops: reads and writes for co_await, with errors as values.
#include <catch2/catch.hpp>

#include <array>
#include <exception>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proxy/transport/stream_ops.h"

using namespace sluice;
namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using Tls = asio::ssl::stream<tcp::socket&>;

namespace {

// A connected pair of sockets on the loopback interface.
std::array<tcp::socket, 2> socket_pair(asio::io_context& io) {
  tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  tcp::socket a(io), b(io);
  a.connect(acceptor.local_endpoint());
  acceptor.accept(b);
  return {std::move(a), std::move(b)};
}

// Runs `body` to completion; rethrows what escaped it.
template <typename Body>
void run_coroutine(asio::io_context& io, Body body) {
  std::exception_ptr escaped;
  asio::co_spawn(io, std::move(body), [&](std::exception_ptr e) { escaped = e; });
  io.run();
  if (escaped) std::rethrow_exception(escaped);
}

}  // namespace

TEST_CASE("WriteAll sends both buffers and ReadSome reads them back", "[http]") {
  asio::io_context io;
  // Named references, not a structured binding: clang 14 (the sanitizer builds)
  // cannot capture a binding in a lambda yet.
  auto sockets = socket_pair(io);
  tcp::socket& a = sockets[0];
  tcp::socket& b = sockets[1];
  std::string got;
  run_coroutine(io, [&]() -> asio::awaitable<void> {
    const std::string head = "GET / HTTP/1.1\r\n\r\n", body = "body";
    auto [wec, written] = co_await WriteAll<tcp::socket, Tls>{&a, nullptr, {asio::buffer(head), asio::buffer(body)}};
    CHECK_FALSE(wec);
    CHECK(written == head.size() + body.size());
    auto [wec1, written1] = co_await WriteAll<tcp::socket, Tls>{&a, nullptr, {asio::buffer(body), {}}};
    CHECK_FALSE(wec1);
    CHECK(written1 == body.size());
    a.shutdown(tcp::socket::shutdown_send);
    char buffer[64];
    for (;;) {
      auto [ec, n] = co_await ReadSome<tcp::socket, Tls>{&b, nullptr, asio::buffer(buffer)};
      if (ec) {
        CHECK(ec == asio::error::eof);  // the end of the stream is a value, not an exception
        break;
      }
      got.append(buffer, n);
    }
  });
  CHECK(got == "GET / HTTP/1.1\r\n\r\nbodybody");
}

TEST_CASE("a failed read or write completes with its error instead of throwing", "[http]") {
  asio::io_context io;
  // Named references, not a structured binding: clang 14 (the sanitizer builds)
  // cannot capture a binding in a lambda yet.
  auto sockets = socket_pair(io);
  tcp::socket& a = sockets[0];
  tcp::socket& b = sockets[1];
  run_coroutine(io, [&]() -> asio::awaitable<void> {
    b.close();
    a.close();
    char buffer[16];
    auto [rec, n] = co_await ReadSome<tcp::socket, Tls>{&a, nullptr, asio::buffer(buffer)};
    CHECK(rec);
    CHECK(n == 0);
    const std::string data = "x";
    auto [wec, w] = co_await WriteAll<tcp::socket, Tls>{&a, nullptr, {asio::buffer(data), {}}};
    CHECK(wec);
    CHECK(w == 0);
  });
}
