// UpstreamKeyHash: the endpoint's address and port, with the protocol and
// TLS bits folded in so the kinds of connection to one endpoint spread out
// (equality, not the hash, keeps them apart).
#include "proxy/upstream/upstream_key.h"

#include <cstring>

#include <netinet/in.h>

namespace sluice {

// Straight from the sockaddr: asio's accessors build an ip::address first.
std::size_t UpstreamKeyHash::operator()(const UpstreamKey& k) const {
  std::size_t h = static_cast<std::size_t>(k.protocol) << 17 | static_cast<std::size_t>(k.tls) << 16;
  const sockaddr* sa = k.address.data();
  if (sa->sa_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(sa);
    return h ^ in->sin_port ^ (std::size_t{in->sin_addr.s_addr} * 0x9E3779B97F4A7C15ull);
  }
  const auto* bytes = reinterpret_cast<const unsigned char*>(sa);
  for (std::size_t i = 0; i < k.address.size(); ++i) h = h * 31 + bytes[i];
  return h;
}

}  // namespace sluice
