// Writes that rarely wait. A response or request head usually fits in the
// socket's send buffer, so one non-blocking send(2) finishes it and the
// coroutine goes on without a trip through the reactor and the scheduler
// (which costs more than the system call). Only what the socket did not take
// waits for the reactor, as async_write would.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>

namespace sluice {

using WriteResult = boost::asio::awaitable<std::tuple<boost::system::error_code, std::size_t>>;

// Writes both buffers (the second may be empty); the result counts the bytes
// written, as async_write's does.
WriteResult write_all(boost::asio::ip::tcp::socket& socket, std::array<boost::asio::const_buffer, 2> buffers);

// One send(2) that never blocks and never raises SIGPIPE: the bytes the
// socket took, or 0 with `ec` set (would_block when the buffer is full).
std::size_t send_now(int fd, const std::array<boost::asio::const_buffer, 2>& buffers, boost::system::error_code& ec);

}  // namespace sluice
