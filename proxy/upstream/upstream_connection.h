// One transport connection to a backend endpoint, with its read buffer.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "proxy/transport/byte_buffer.h"
#include "proxy/upstream/upstream_key.h"

namespace sluice {

// worker-confined. Owned by one exchange at a time, or idle in the pool.
struct UpstreamConnection {
  static constexpr std::size_t initial_buffer = 16 * 1024;

  explicit UpstreamConnection(const boost::asio::any_io_executor& ex)
      : socket(ex), buffer(initial_buffer) {}

  boost::asio::ip::tcp::socket socket;
  ByteBuffer buffer;
  UpstreamKey key;  // its endpoint, protocol and TLS: where the pool files it
  bool reused = false;
};

}  // namespace sluice
