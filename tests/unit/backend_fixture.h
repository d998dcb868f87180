// Test-only builders for the RouteTable pieces many unit tests need.
#pragma once

#include <string>

#include "common/model/route_table.h"

namespace sluice::test {

// A Backend for Service `name`'s port `port` in `ns`, named as the
// translator names it ("ns/name:port"), without endpoints.
inline Backend service_backend_for_test(const std::string& ns, const std::string& name,
                                        const std::string& port) {
  Backend b;
  b.name = ns + "/" + name + ":" + port;
  b.service_namespace = ns;
  b.service_name = name;
  b.service_port = port;
  return b;
}

// The walkthrough's path rule: /dev (Prefix) -> default/dev:80 from tkng-1.
inline std::uint32_t add_dev_route_for_test(RouteTableBuilder& b, Backend dev) {
  auto d = b.add_backend(std::move(dev));
  b.add_route({.host = "", .path = "/dev", .match = PathMatch::prefix, .backend = d,
               .ingress_namespace = "default", .ingress_name = "tkng-1"});
  return d;
}

// A table of generation `generation` with one backend (ns/svc:80) and no
// routes: what snapshot publication tests swap in and out.
inline std::shared_ptr<const RouteTable> one_backend_table_for_test(std::uint64_t generation) {
  RouteTableBuilder b;
  Backend backend;
  backend.name = "ns/svc:80";
  b.add_backend(backend);
  return std::move(b).build(generation);
}

// Builds a table route by route; backends are named and deduplicated.
struct RouteTableFixtureForTest {
  RouteTableBuilder builder;
  std::uint32_t backend(const std::string& name) {
    Backend b;
    b.name = name;
    return builder.add_backend(std::move(b));
  }
  void route(std::string host, std::string path, PathMatch m, const std::string& to,
             std::string ingress = "ing") {
    builder.add_route({.host = std::move(host), .path = std::move(path), .match = m, .backend = backend(to),
                       .ingress_namespace = "ns", .ingress_name = std::move(ingress)});
  }
  void default_backend(std::string host, const std::string& to) {
    builder.set_default({.host = std::move(host), .backend = backend(to), .ingress_namespace = "ns",
                         .ingress_name = "defaults"});
  }
};

}  // namespace sluice::test
