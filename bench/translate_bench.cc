// Translation of 1,000 and 10,000 Ingresses (each: one host, two Prefix
// paths to its own Service, which has one EndpointSlice with two ready
// endpoints) from an in-memory ObjectStore to a RouteTable snapshot. This is
// the work the controller thread does on every coalesced change.
#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "controller/object_store.h"
#include "controller/translate/translator.h"

namespace {

namespace k8s = sluice::k8s;
using sluice::controller::ObjectStore;
using sluice::controller::TranslatorOptions;

std::string ip_of(std::size_t i, int last) {
  return "10." + std::to_string(i / 250 % 250) + "." + std::to_string(i % 250) + "." + std::to_string(last);
}

void fill(ObjectStore& store, std::size_t count) {
  auto cls = std::make_shared<k8s::IngressClass>();
  cls->meta.name = "sluice";
  cls->controller = "sluice.dev/ingress-controller";
  store.upsert(k8s::AnyObject(std::shared_ptr<const k8s::IngressClass>(cls)));
  for (std::size_t i = 0; i < count; ++i) {
    const std::string ns = "team-" + std::to_string(i % 50);
    const std::string svc = "svc-" + std::to_string(i);

    auto service = std::make_shared<k8s::Service>();
    service->meta.ns = ns;
    service->meta.name = svc;
    k8s::ServicePort port;
    port.name = "http";
    port.port = 80;
    port.target_port.number = 8080;
    service->ports.push_back(port);
    store.upsert(k8s::AnyObject(std::shared_ptr<const k8s::Service>(service)));

    auto slice = std::make_shared<k8s::EndpointSlice>();
    slice->meta.ns = ns;
    slice->meta.name = svc + "-abcde";
    slice->meta.labels[k8s::service_name_label] = svc;
    slice->service_name = svc;
    slice->address_type = "IPv4";
    k8s::EndpointPort ep;
    ep.name = "http";
    ep.port = 8080;
    slice->ports.push_back(ep);
    for (int e = 1; e <= 2; ++e) {
      k8s::SliceEndpoint endpoint;
      endpoint.addresses.push_back(ip_of(i, e));
      slice->endpoints.push_back(endpoint);
    }
    store.upsert(k8s::AnyObject(std::shared_ptr<const k8s::EndpointSlice>(slice)));

    auto ingress = std::make_shared<k8s::Ingress>();
    ingress->meta.ns = ns;
    ingress->meta.name = "ing-" + std::to_string(i);
    ingress->meta.creation_time = 1'700'000'000 + static_cast<std::int64_t>(i);
    ingress->ingress_class_name = "sluice";
    k8s::IngressRule rule;
    rule.host = "app-" + std::to_string(i) + ".bench.example.com";
    for (const char* path : {"/", "/api"}) {
      k8s::IngressPath p;
      p.path = path;
      p.path_type = "Prefix";
      p.backend.service_name = svc;
      p.backend.service_port.number = 80;
      rule.paths.push_back(p);
    }
    ingress->rules.push_back(rule);
    store.upsert(k8s::AnyObject(std::shared_ptr<const k8s::Ingress>(ingress)));
  }
}

void BM_Translate(benchmark::State& state) {
  const auto count = static_cast<std::size_t>(state.range(0));
  ObjectStore store;
  fill(store, count);
  TranslatorOptions options;
  std::uint64_t generation = 0;
  sluice::controller::TranslationCounts counts;
  std::size_t warnings = 0;
  for (auto _ : state) {
    auto result = sluice::controller::translate(store, options, ++generation);
    counts = result.counts;
    warnings = result.warnings.size();
    benchmark::DoNotOptimize(result.table);
  }
  if (counts.routes != 2 * count || counts.backends != count || warnings != 0)
    state.SkipWithError("the store did not translate to 2 routes and 1 backend per Ingress");
  state.counters["ingresses"] = static_cast<double>(counts.ingresses_served);
  state.counters["routes"] = static_cast<double>(counts.routes);
  state.counters["backends"] = static_cast<double>(counts.backends);
  // Seconds of translation per Ingress (printed with an SI prefix: 1.2u = 1.2 us).
  state.counters["s_per_ingress"] = benchmark::Counter(
      static_cast<double>(count), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

BENCHMARK(BM_Translate)->Arg(1000)->Arg(10000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
