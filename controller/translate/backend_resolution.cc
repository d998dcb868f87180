// Backend resolution; see backend_resolution.h.
#include "controller/translate/backend_resolution.h"

#include <algorithm>

#include <boost/asio/ip/address.hpp>

namespace sluice::controller {
namespace {

const k8s::ServicePort* find_port(const k8s::Service& service, const k8s::PortRef& ref) {
  for (const auto& p : service.ports)
    if (ref.name.empty() ? p.port == ref.number : p.name == ref.name) return &p;
  return nullptr;
}

std::string endpoint_name(const boost::asio::ip::address& a, std::uint16_t port) {
  std::string host = a.to_string();
  return (a.is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

}  // namespace

std::string backend_name(const std::string& ns, const k8s::IngressBackend& b) {
  return ns + "/" + b.service_name + ":" + b.service_port.to_string();
}

BackendResolver::BackendResolver(const ObjectStore& store, std::vector<Warning>& slice_warnings)
    : store_(store), slice_warnings_(slice_warnings) {
  for (const auto& [key, slice] : store.all<k8s::EndpointSlice>())
    if (!slice->service_name.empty())
      slices_by_service_[slice->meta.ns + "/" + slice->service_name].push_back(slice.get());
}

const Resolution& BackendResolver::resolve(const std::string& ns, const k8s::IngressBackend& b) {
  std::string name = backend_name(ns, b);
  auto it = cache_.find(name);
  if (it == cache_.end()) it = cache_.emplace(name, compute(ns, b)).first;
  return it->second;
}

Resolution BackendResolver::compute(const std::string& ns, const k8s::IngressBackend& b) {
  Resolution r;
  r.backend.name = backend_name(ns, b);
  r.backend.service_namespace = ns;
  r.backend.service_name = b.service_name;
  r.backend.service_port = b.service_port.to_string();
  const std::string service_key = ns + "/" + b.service_name;
  auto service = store_.find<k8s::Service>(ns, b.service_name);
  if (!service) {
    r.problems.push_back("service " + service_key + " not found");
    return r;
  }
  const k8s::ServicePort* port = find_port(*service, b.service_port);
  if (service->is_external_name() && b.service_port.name.empty()) {
    r.backend.external_name = service->external_name;  // numeric port: no ServicePort needed
    r.backend.external_port = static_cast<std::uint16_t>(b.service_port.number);
  } else if (!port) {
    r.problems.push_back("service " + service_key + " has no port " + b.service_port.to_string());
  } else if (service->is_external_name()) {
    r.backend.external_name = service->external_name;
    r.backend.external_port = static_cast<std::uint16_t>(port->port);
  } else {
    add_endpoints(*service, *port, r.backend);
  }
  return r;
}

void BackendResolver::add_endpoints(const k8s::Service& service, const k8s::ServicePort& port,
                                    Backend& out) {
  auto slices = slices_by_service_.find(service.meta.ns + "/" + service.meta.name);
  if (slices == slices_by_service_.end()) return;
  for (const k8s::EndpointSlice* slice : slices->second)
    add_slice_endpoints(*slice, port, out.endpoints, out.not_ready);
  // The same pod may appear in two slices while they are being rebalanced.
  auto by_name = [](const Endpoint& a, const Endpoint& b) { return a.name < b.name; };
  auto same = [](const Endpoint& a, const Endpoint& b) { return a.name == b.name; };
  for (auto* list : {&out.endpoints, &out.not_ready}) {
    std::sort(list->begin(), list->end(), by_name);
    list->erase(std::unique(list->begin(), list->end(), same), list->end());
  }
  // Ready in one slice wins over not ready in another (for /debug only).
  std::erase_if(out.not_ready, [&](const Endpoint& e) {
    return std::binary_search(out.endpoints.begin(), out.endpoints.end(), e, by_name);
  });
}

void BackendResolver::add_slice_endpoints(const k8s::EndpointSlice& slice,
                                          const k8s::ServicePort& port, std::vector<Endpoint>& out,
                                          std::vector<Endpoint>& not_ready) {
  const k8s::ObjectRef ref{k8s::Kind::endpoint_slice, slice.meta.ns, slice.meta.name};
  if (slice.address_type == "FQDN") {
    slice_warnings_.push_back({ref, "addressType FQDN is not supported; its endpoints are skipped"});
    return;
  }
  // The slice port carrying the ServicePort's name holds the target port.
  auto target = std::find_if(slice.ports.begin(), slice.ports.end(),
                             [&](const k8s::EndpointPort& p) { return p.name == port.name; });
  if (target == slice.ports.end() || !target->port || *target->port == 0) return;
  const auto number = static_cast<std::uint16_t>(*target->port);
  for (const k8s::SliceEndpoint& e : slice.endpoints) {
    std::vector<Endpoint>& into = e.ready ? out : not_ready;
    for (const std::string& text : e.addresses) {
      boost::system::error_code ec;
      auto address = boost::asio::ip::make_address(text, ec);
      if (ec) {
        if (e.ready) slice_warnings_.push_back({ref, "address \"" + text + "\" is not an IP address; skipped"});
        continue;
      }
      into.push_back({boost::asio::ip::tcp::endpoint(address, number), endpoint_name(address, number)});
    }
  }
}

}  // namespace sluice::controller
