// What a route forwards to: a Service port resolved to ready endpoints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace sluice {

// any thread (immutable once in a RouteTable)
struct Endpoint {
  boost::asio::ip::tcp::endpoint address;
  std::string name;  // "10.0.0.7:8080", for logs and /debug
};

// any thread (immutable once in a RouteTable)
struct Backend {
  std::string name;  // "namespace/service:port", unique within a snapshot
  std::string service_namespace;
  std::string service_name;
  std::string service_port;           // as the Ingress named it: number or port name
  std::vector<Endpoint> endpoints;    // ready endpoints only; empty means 503
  std::vector<Endpoint> not_ready;    // never routed to; listed by /debug/backends
  std::string external_name;          // ExternalName Service: resolved by DNS at request time
  std::uint16_t external_port = 0;

  bool is_external() const { return !external_name.empty(); }
};

}  // namespace sluice
