// Reads and writes for co_await that cost no coroutine frame of their own.
//
// `co_await s.async_read_some(b, use_awaitable)` runs Asio's initiating
// function as a coroutine: a frame allocated, resumed and freed per I/O, four
// per proxied request. Asio (1.26) also accepts a plain asynchronous operation
// (a function object taking a completion token) as the operand of co_await
// and starts it straight from the suspended caller (awaitable_async_op).
// These are such operations. They complete with (error_code, bytes) as one
// tuple, so failures come back as values, never as exceptions; as_tuple()
// would do that too, but in Asio 1.26 it copies the handler, which co_await's
// handler forbids.
#pragma once

#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>

#include <boost/asio/associated_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

namespace sluice {

using IoSignature = void(std::tuple<boost::system::error_code, std::size_t>);

namespace stream_ops_detail {

// Passes (error_code, bytes) on as one tuple; runs on the wrapped handler's
// executor.
template <typename Handler>
struct TupleHandler {
  Handler handler;

  using executor_type = boost::asio::associated_executor_t<Handler>;
  executor_type get_executor() const noexcept { return boost::asio::get_associated_executor(handler); }

  void operator()(boost::system::error_code ec, std::size_t bytes) { std::move(handler)(std::tuple(ec, bytes)); }
};

// async_initiate hands the handler over as an lvalue; moving from it is what
// Asio's own initiations do.
struct StartReadSome {
  template <typename Handler, typename Socket, typename Tls>
  void operator()(Handler&& handler, Socket* socket, Tls* tls, boost::asio::mutable_buffer buffer) const {
    TupleHandler<std::decay_t<Handler>> h{std::move(handler)};
    if (tls) tls->async_read_some(buffer, std::move(h));
    else socket->async_read_some(buffer, std::move(h));
  }
};

// One buffer goes out with send(2), two with sendmsg(2). Plain TCP writes on
// the request path try immediate_write.h first; this carries TLS writes.
struct StartWriteAll {
  template <typename Handler, typename Socket, typename Tls>
  void operator()(Handler&& handler, Socket* socket, Tls* tls, std::array<boost::asio::const_buffer, 2> buffers) const {
    TupleHandler<std::decay_t<Handler>> h{std::move(handler)};
    if (buffers[1].size() == 0) {
      if (tls) boost::asio::async_write(*tls, buffers[0], std::move(h));
      else boost::asio::async_write(*socket, buffers[0], std::move(h));
    } else {
      if (tls) boost::asio::async_write(*tls, buffers, std::move(h));
      else boost::asio::async_write(*socket, buffers, std::move(h));
    }
  }
};

}  // namespace stream_ops_detail

// Reads what is there (at least one byte) from `tls` when it is set, else
// from `socket`.
template <typename Socket, typename Tls>
struct ReadSome {
  Socket* socket;
  Tls* tls;
  boost::asio::mutable_buffer buffer;

  template <typename Token>
  auto operator()(Token&& token) -> decltype(boost::asio::async_initiate<Token, IoSignature>(
      stream_ops_detail::StartReadSome{}, token, socket, tls, buffer)) {
    return boost::asio::async_initiate<Token, IoSignature>(stream_ops_detail::StartReadSome{}, token, socket, tls,
                                                           buffer);
  }
};

// Writes both buffers entirely (the second may be empty) to `tls` when it is
// set, else to `socket`.
template <typename Socket, typename Tls>
struct WriteAll {
  Socket* socket;
  Tls* tls;
  std::array<boost::asio::const_buffer, 2> buffers;

  template <typename Token>
  auto operator()(Token&& token) -> decltype(boost::asio::async_initiate<Token, IoSignature>(
      stream_ops_detail::StartWriteAll{}, token, socket, tls, buffers)) {
    return boost::asio::async_initiate<Token, IoSignature>(stream_ops_detail::StartWriteAll{}, token, socket, tls,
                                                           buffers);
  }
};

}  // namespace sluice
