// What the files of DownstreamConnection share (downstream_connection.cc,
// downstream_upstream.cc, downstream_request_body.cc, downstream_response.cc):
// names and buffer sizes. Not for use outside them.
#pragma once

#include <cstddef>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace sluice::downstream_detail {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
inline constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Small enough that an idle keep-alive connection costs little (nginx's
// client_header_buffer_size is 1k); a longer head grows it once per
// connection, and body streaming grows it once to stream_buffer_bytes.
inline constexpr std::size_t initial_buffer_bytes = 2 * 1024;
inline constexpr std::size_t stream_buffer_bytes = 64 * 1024;
inline constexpr std::size_t max_response_head_bytes = 64 * 1024;
inline constexpr std::size_t max_request_id_bytes = 200;

}  // namespace sluice::downstream_detail
