// Decoding an EndpointSlice; see endpoint_slice.h.
#include "common/k8s/endpoint_slice.h"

namespace sluice::k8s {

EndpointSlice decode_endpoint_slice(const Field& object) {
  EndpointSlice s;
  s.meta = decode_meta(object["metadata"], true);
  if (auto it = s.meta.labels.find(service_name_label); it != s.meta.labels.end())
    s.service_name = it->second;
  s.address_type = object["addressType"].string();
  for (const Field& p : object["ports"].items()) {
    EndpointPort port;
    port.name = p["name"].string_or("");
    if (auto n = p["port"].optional_integer(0, 65535)) port.port = static_cast<std::int32_t>(*n);
    port.protocol = p["protocol"].string_or("TCP");
    s.ports.push_back(std::move(port));
  }
  for (const Field& e : object["endpoints"].items()) {
    SliceEndpoint endpoint;
    for (const Field& a : e["addresses"].items()) endpoint.addresses.push_back(a.string());
    endpoint.ready = e["conditions"]["ready"].boolean_or(true);
    s.endpoints.push_back(std::move(endpoint));
  }
  return s;
}

}  // namespace sluice::k8s
