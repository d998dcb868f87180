// What makes two upstream connections interchangeable: the endpoint, the
// protocol spoken on it and whether it is TLS. The pool is keyed by it, so
// TLS and HTTP/2 upstreams fit without reshaping the pool.
#pragma once

#include <cstddef>
#include <cstdint>

#include <boost/asio/ip/tcp.hpp>

namespace sluice {

enum class UpstreamProtocol : std::uint8_t { http1 };

// any thread (a value)
struct UpstreamKey {
  boost::asio::ip::tcp::endpoint address;
  UpstreamProtocol protocol = UpstreamProtocol::http1;
  bool tls = false;

  bool operator==(const UpstreamKey&) const = default;
};

struct UpstreamKeyHash {
  std::size_t operator()(const UpstreamKey& k) const;
};

}  // namespace sluice
