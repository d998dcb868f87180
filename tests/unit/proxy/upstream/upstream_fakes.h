// Fake endpoints for the upstream unit tests: backends and snapshots made of
// loopback addresses that nothing connects to.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/model/route_table.h"

namespace sluice::test {

inline Endpoint fake_endpoint(std::uint16_t port) {
  Endpoint e;
  e.address = {boost::asio::ip::make_address("127.0.0.1"), port};
  e.name = "127.0.0.1:" + std::to_string(port);
  return e;
}

inline Backend fake_backend(const std::string& name, std::vector<std::uint16_t> ports) {
  Backend b;
  b.name = name;
  for (auto p : ports) b.endpoints.push_back(fake_endpoint(p));
  return b;
}

inline std::shared_ptr<const RouteTable> fake_table(std::uint64_t generation, std::vector<Backend> backends) {
  RouteTableBuilder b;
  for (auto& backend : backends) b.add_backend(std::move(backend));
  return std::move(b).build(generation);
}

}  // namespace sluice::test
