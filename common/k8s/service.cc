// Decoding a Service; see service.h.
#include "common/k8s/service.h"

namespace sluice::k8s {

Service decode_service(const Field& object) {
  Service s;
  s.meta = decode_meta(object["metadata"], true);
  Field spec = object["spec"];
  s.type = spec["type"].string_or("ClusterIP");
  s.external_name = spec["externalName"].string_or("");
  if (s.is_external_name() && s.external_name.empty())
    spec["externalName"].fail("required for type ExternalName");
  for (const Field& p : spec["ports"].items()) {
    ServicePort port;
    port.name = p["name"].string_or("");
    port.port = static_cast<std::int32_t>(p["port"].integer(1, 65535));
    port.protocol = p["protocol"].string_or("TCP");
    Field target = p["targetPort"];
    if (target.is_integer())
      port.target_port.number = static_cast<std::int32_t>(target.integer(1, 65535));
    else
      port.target_port.name = target.string_or("");
    s.ports.push_back(std::move(port));
  }
  s.load_balancer = decode_load_balancer(object["status"]);
  return s;
}

}  // namespace sluice::k8s
