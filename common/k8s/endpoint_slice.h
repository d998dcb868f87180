// discovery.k8s.io/v1 EndpointSlice: the addresses behind a Service.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/k8s/object_meta.h"

namespace sluice::k8s {

inline constexpr const char* service_name_label = "kubernetes.io/service-name";

// any thread (immutable)
struct EndpointPort {
  std::string name;  // matches the ServicePort's name ("" when unnamed)
  std::optional<std::int32_t> port;  // absent: "all ports", which we cannot route to
  std::string protocol = "TCP";
  bool operator==(const EndpointPort&) const = default;
};

// any thread (immutable)
struct SliceEndpoint {
  std::vector<std::string> addresses;
  bool ready = true;  // conditions.ready; absent means ready
  bool operator==(const SliceEndpoint&) const = default;
};

// any thread (immutable)
struct EndpointSlice {
  ObjectMeta meta;
  std::string service_name;  // from the kubernetes.io/service-name label
  std::string address_type;  // IPv4, IPv6 or FQDN
  std::vector<EndpointPort> ports;
  std::vector<SliceEndpoint> endpoints;
  bool operator==(const EndpointSlice&) const = default;
};

EndpointSlice decode_endpoint_slice(const Field& object);

}  // namespace sluice::k8s
