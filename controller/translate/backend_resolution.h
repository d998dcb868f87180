// Resolves an Ingress backend (service name + port) to a sluice::Backend:
// Service -> ServicePort -> EndpointSlices -> ready endpoints.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/k8s/endpoint_slice.h"
#include "common/k8s/ingress.h"
#include "common/model/backend.h"
#include "controller/object_store.h"
#include "controller/translate/warning.h"

namespace sluice::controller {

// any thread (immutable)
struct Resolution {
  Backend backend;  // always usable; no endpoints means the proxy answers 503
  std::vector<std::string> problems;  // for a warning on each Ingress that uses it
};

// controller-confined; one per translation. Results are cached by backend
// name, so each Service is resolved (and each bad EndpointSlice reported) once.
class BackendResolver {
 public:
  // Warnings about EndpointSlices themselves go to `slice_warnings`.
  BackendResolver(const ObjectStore& store, std::vector<Warning>& slice_warnings);

  // `ns` is the Ingress's namespace.
  const Resolution& resolve(const std::string& ns, const k8s::IngressBackend& backend);

 private:
  Resolution compute(const std::string& ns, const k8s::IngressBackend& backend);
  void add_endpoints(const k8s::Service& service, const k8s::ServicePort& port, Backend& out);
  void add_slice_endpoints(const k8s::EndpointSlice& slice, const k8s::ServicePort& port,
                           std::vector<Endpoint>& out, std::vector<Endpoint>& not_ready);

  const ObjectStore& store_;
  std::vector<Warning>& slice_warnings_;
  std::map<std::string, std::vector<const k8s::EndpointSlice*>> slices_by_service_;  // "ns/svc"
  std::map<std::string, Resolution> cache_;  // by Backend::name
};

// "namespace/service:port" with the port as the Ingress wrote it.
std::string backend_name(const std::string& ns, const k8s::IngressBackend& backend);

}  // namespace sluice::controller
