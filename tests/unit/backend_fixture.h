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

}  // namespace sluice::test
