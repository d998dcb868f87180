// Reading one manifest file of 100 Ingresses, each with its Service and
// EndpointSlice, in the YAML layout bench/scale writes (bench/scale's
// 10,000 Ingresses are 100 such files). BM_ParseYaml is the YAML parser
// alone; BM_ParseManifest adds decoding into k8s objects.
#include <benchmark/benchmark.h>

#include <string>

#include "controller/source/manifest_parse.h"
#include "controller/source/yaml_tree.h"

namespace {

std::string objects_yaml(std::size_t i) {
  const std::string ns = "\"team-" + std::to_string(i % 50) + "\"";
  const std::string svc = "svc-" + std::to_string(i);
  const std::string port = R"(
                service:
                  name: ")" + svc + R"("
                  port:
                    number: 80)";
  return R"(apiVersion: "v1"
kind: "Service"
metadata:
  name: ")" + svc + R"("
  namespace: )" + ns + R"(
spec:
  ports:
    - name: "http"
      port: 80
      protocol: "TCP"
      targetPort: 8080
---
apiVersion: "discovery.k8s.io/v1"
kind: "EndpointSlice"
metadata:
  name: ")" + svc + R"(-1"
  namespace: )" + ns + R"(
  labels:
    kubernetes.io/service-name: ")" + svc + R"("
addressType: "IPv4"
ports:
  - name: "http"
    port: 8080
    protocol: "TCP"
endpoints:
  - addresses:
      - "127.0.0.1"
    conditions:
      ready: true
---
apiVersion: "networking.k8s.io/v1"
kind: "Ingress"
metadata:
  name: "ing-)" + std::to_string(i) + R"("
  namespace: )" + ns + R"(
spec:
  ingressClassName: "sluice"
  rules:
    - host: "app-)" + std::to_string(i) + R"(.scale.example"
      http:
        paths:
          - path: "/"
            pathType: "Prefix"
            backend:)" + port + R"(
          - path: "/api"
            pathType: "Prefix"
            backend:)" + port + "\n---\n";
}

const std::string& one_file() {
  static const std::string text = [] {
    std::string out;
    for (std::size_t i = 0; i < 100; ++i) out += objects_yaml(i);
    return out;
  }();
  return text;
}

void BM_ParseYaml(benchmark::State& state) {
  const std::string& text = one_file();
  for (auto _ : state) {
    std::string error;
    auto tree = sluice::controller::parse_yaml(text, error);
    if (!tree) state.SkipWithError(error.c_str());
    benchmark::DoNotOptimize(tree);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseYaml)->Unit(benchmark::kMillisecond);

void BM_ParseManifest(benchmark::State& state) {
  const std::string& text = one_file();
  for (auto _ : state) {
    auto parsed = sluice::controller::parse_manifest(text);
    if (!parsed.ok || parsed.objects.size() != 300) state.SkipWithError("unexpected parse result");
    benchmark::DoNotOptimize(parsed);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_ParseManifest)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
