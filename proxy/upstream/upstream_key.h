// What makes two upstream connections interchangeable: the endpoint, the
// protocol spoken on it and whether it is TLS. The pool is keyed by it, so
// TLS and HTTP/2 upstreams fit without reshaping the pool.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <netinet/in.h>

#include <boost/asio/ip/tcp.hpp>

namespace sluice {

enum class UpstreamProtocol : std::uint8_t { http1 };

// any thread (a value)
struct UpstreamKey {
  boost::asio::ip::tcp::endpoint address;
  UpstreamProtocol protocol = UpstreamProtocol::http1;
  bool tls = false;

  // By the socket address's bytes: asio's endpoint comparison builds an
  // ip::address for each side, and the pool compares on every take.
  bool operator==(const UpstreamKey& o) const {
    if (protocol != o.protocol || tls != o.tls) return false;
    const sockaddr* a = address.data();
    const sockaddr* b = o.address.data();
    if (a->sa_family == AF_INET && b->sa_family == AF_INET) {
      const auto* x = reinterpret_cast<const sockaddr_in*>(a);
      const auto* y = reinterpret_cast<const sockaddr_in*>(b);
      return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
    return address.size() == o.address.size() && std::memcmp(a, b, address.size()) == 0;
  }
};

struct UpstreamKeyHash {
  std::size_t operator()(const UpstreamKey& k) const;
};

}  // namespace sluice
