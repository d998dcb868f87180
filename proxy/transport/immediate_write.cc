// write_all and send_now; see immediate_write.h.
#include "proxy/transport/immediate_write.h"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace sluice {
namespace asio = boost::asio;

namespace {

constexpr int send_flags = MSG_DONTWAIT | MSG_NOSIGNAL;

ssize_t send_once(int fd, const std::array<asio::const_buffer, 2>& buffers) {
  if (buffers[1].size() == 0) return ::send(fd, buffers[0].data(), buffers[0].size(), send_flags);
  iovec iov[2] = {{const_cast<void*>(buffers[0].data()), buffers[0].size()},
                  {const_cast<void*>(buffers[1].data()), buffers[1].size()}};
  msghdr msg{};
  msg.msg_iov = iov;
  msg.msg_iovlen = 2;
  return ::sendmsg(fd, &msg, send_flags);
}

// Drops the first `n` bytes.
void advance(std::array<asio::const_buffer, 2>& buffers, std::size_t n) {
  if (n >= buffers[0].size()) {
    buffers[0] = buffers[1] + (n - buffers[0].size());
    buffers[1] = {};
  } else {
    buffers[0] += n;
  }
}

}  // namespace

std::size_t send_now(int fd, const std::array<asio::const_buffer, 2>& buffers, boost::system::error_code& ec) {
  for (;;) {
    const ssize_t n = send_once(fd, buffers);
    if (n >= 0) {
      ec.clear();
      return static_cast<std::size_t>(n);
    }
    if (errno == EINTR) continue;
    ec = (errno == EAGAIN || errno == EWOULDBLOCK) ? asio::error::would_block
                                                  : boost::system::error_code(errno, boost::system::system_category());
    return 0;
  }
}

WriteResult write_all(asio::ip::tcp::socket& socket, std::array<asio::const_buffer, 2> buffers) {
  const std::size_t total = buffers[0].size() + buffers[1].size();
  boost::system::error_code ec;
  const std::size_t sent = send_now(socket.native_handle(), buffers, ec);
  if (ec != asio::error::would_block && (ec || sent == total)) co_return std::tuple{ec, sent};
  advance(buffers, sent);
  auto [wec, rest] = co_await asio::async_write(socket, buffers, asio::as_tuple(asio::use_awaitable));
  co_return std::tuple{wec, sent + rest};
}

}  // namespace sluice
