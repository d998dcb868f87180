// networking.k8s.io/v1 Ingress: the fields the translator reads.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/k8s/object_meta.h"

namespace sluice::k8s {

// any thread (immutable). A port by number or by name; exactly one is set.
struct PortRef {
  std::int32_t number = 0;
  std::string name;

  std::string to_string() const { return name.empty() ? std::to_string(number) : name; }
  bool operator==(const PortRef&) const = default;
};

// any thread (immutable). spec.defaultBackend or a path's backend.
struct IngressBackend {
  std::string service_name;  // "" when the backend is a `resource` (unsupported)
  PortRef service_port;
  bool is_resource = false;
  bool operator==(const IngressBackend&) const = default;
};

// any thread (immutable)
struct IngressPath {
  std::string path;       // "" when absent
  std::string path_type;  // "" when absent (the API server requires it)
  IngressBackend backend;
  bool operator==(const IngressPath&) const = default;
};

// any thread (immutable)
struct IngressRule {
  std::string host;  // as written; "" for every host
  std::vector<IngressPath> paths;
  bool operator==(const IngressRule&) const = default;
};

// any thread (immutable)
struct IngressTls {
  std::vector<std::string> hosts;
  std::string secret_name;
  bool operator==(const IngressTls&) const = default;
};

// any thread (immutable). One entry of status.loadBalancer.ingress (of an
// Ingress or of a Service).
struct LoadBalancerIngress {
  std::string ip;
  std::string hostname;
  auto operator<=>(const LoadBalancerIngress&) const = default;
};

// Reads status.loadBalancer.ingress[] (absent: empty); entries with neither
// ip nor hostname are dropped.
std::vector<LoadBalancerIngress> decode_load_balancer(const Field& status);

// any thread (immutable)
struct Ingress {
  ObjectMeta meta;
  std::optional<std::string> ingress_class_name;  // absent or "" both mean "no class"
  std::optional<IngressBackend> default_backend;
  std::vector<IngressRule> rules;
  std::vector<IngressTls> tls;
  std::vector<LoadBalancerIngress> load_balancer;  // status.loadBalancer.ingress
  bool operator==(const Ingress&) const = default;
};

Ingress decode_ingress(const Field& object);

}  // namespace sluice::k8s
