// write_all and send_now over real loopback TCP connections.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proxy/transport/immediate_write.h"

using namespace sluice;
namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

struct Pair {
  asio::io_context io;
  tcp::socket writer{io};
  tcp::socket reader{io};
  Pair() {
    tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
    writer.connect(acceptor.local_endpoint());
    reader = acceptor.accept();
  }
  // Runs the context for at most a few seconds, so a hang fails instead.
  void run() {
    io.run_for(std::chrono::seconds(10));
    REQUIRE(io.stopped());
  }
};

std::string pattern(std::size_t n, char seed) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>(seed + i % 61);
  return s;
}

}  // namespace

TEST_CASE("a small head and body are written at once", "[http]") {
  Pair p;
  const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  const std::string body = "hello";
  boost::system::error_code ec;
  std::size_t written = 0;
  asio::co_spawn(p.io, [&]() -> asio::awaitable<void> {
    std::tie(ec, written) = co_await write_all(p.writer, {asio::buffer(head), asio::buffer(body)});
  }, asio::detached);
  p.run();
  CHECK_FALSE(ec);
  CHECK(written == head.size() + body.size());
  std::string got(written, '\0');
  asio::read(p.reader, asio::buffer(got));
  CHECK(got == head + body);
}

TEST_CASE("what the socket buffer cannot take is written when the reader catches up", "[http]") {
  Pair p;
  const std::string first = pattern(3 << 20, 'a');
  const std::string second = pattern(5 << 20, 'A');
  boost::system::error_code ec;
  std::size_t written = 0;
  std::string got;
  asio::co_spawn(p.io, [&]() -> asio::awaitable<void> {
    std::tie(ec, written) = co_await write_all(p.writer, {asio::buffer(first), asio::buffer(second)});
    p.writer.shutdown(tcp::socket::shutdown_send);
  }, asio::detached);
  asio::co_spawn(p.io, [&]() -> asio::awaitable<void> {
    std::vector<char> chunk(64 << 10);
    for (;;) {
      auto [rec, n] = co_await p.reader.async_read_some(asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
      got.append(chunk.data(), n);
      if (rec) break;
    }
  }, asio::detached);
  p.run();
  CHECK_FALSE(ec);
  CHECK(written == first.size() + second.size());
  CHECK(got.size() == written);
  CHECK(got == first + second);
}

TEST_CASE("a full socket buffer is would_block, not a wait", "[http]") {
  Pair p;
  const std::string block = pattern(1 << 20, 'x');
  boost::system::error_code ec;
  std::size_t total = 0;
  for (int i = 0; i < 256 && !ec; ++i) total += send_now(p.writer.native_handle(), {asio::buffer(block), {}}, ec);
  CHECK(ec == asio::error::would_block);
  CHECK(total > 0);
}

TEST_CASE("writing to a reset connection is an error, not SIGPIPE", "[http]") {
  Pair p;
  p.reader.set_option(asio::socket_base::linger(true, 0));  // close sends RST
  p.reader.close();
  boost::system::error_code ec;
  std::size_t written = 0;
  asio::co_spawn(p.io, [&]() -> asio::awaitable<void> {
    // The first send may still be accepted before the RST is seen.
    for (int i = 0; i < 4 && !ec; ++i)
      std::tie(ec, written) = co_await write_all(p.writer, {asio::buffer("data", 4), {}});
  }, asio::detached);
  p.run();
  CHECK(ec);
  CHECK(written == 0);
}
