// v1 Service: its ports, and the DNS name of an ExternalName Service.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/k8s/ingress.h"
#include "common/k8s/object_meta.h"

namespace sluice::k8s {

// any thread (immutable)
struct ServicePort {
  std::string name;  // "" when the Service has a single unnamed port
  std::int32_t port = 0;
  PortRef target_port;  // int-or-string; number 0 and name "" when absent
  std::string protocol = "TCP";
  bool operator==(const ServicePort&) const = default;
};

// any thread (immutable)
struct Service {
  ObjectMeta meta;
  std::string type = "ClusterIP";
  std::string external_name;  // spec.externalName, for type ExternalName
  std::vector<ServicePort> ports;
  std::vector<LoadBalancerIngress> load_balancer;  // status.loadBalancer.ingress

  bool is_external_name() const { return type == "ExternalName"; }
  bool operator==(const Service&) const = default;
};

Service decode_service(const Field& object);

}  // namespace sluice::k8s
