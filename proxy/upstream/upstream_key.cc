// UpstreamKeyHash: the endpoint's address and port, with the protocol and
// TLS bits folded in so the kinds of connection to one endpoint spread out
// (equality, not the hash, keeps them apart).
#include "proxy/upstream/upstream_key.h"

#include <functional>

namespace sluice {

std::size_t UpstreamKeyHash::operator()(const UpstreamKey& k) const {
  const auto& e = k.address;
  std::size_t h = std::hash<unsigned short>{}(e.port()) ^
                  (static_cast<std::size_t>(k.protocol) << 17 | static_cast<std::size_t>(k.tls) << 16);
  if (e.address().is_v4()) return h ^ (std::hash<unsigned>{}(e.address().to_v4().to_uint()) << 1);
  auto bytes = e.address().to_v6().to_bytes();
  for (unsigned char b : bytes) h = h * 31 + b;
  return h;
}

}  // namespace sluice
