// Translator: backend resolution (Services, ports, EndpointSlices,
// ExternalName) and default backends.
#include <catch2/catch.hpp>

#include "tests/unit/controller/fixture.h"

using namespace sluice::controller;
using namespace sluice::controller::test;

namespace {

std::string endpoints_of(const TranslationResult& r, std::string_view host, std::string_view path) {
  auto m = r.table->match(host, path);
  if (!m.route) return "404";
  std::string out;
  for (const auto& e : m.backend->endpoints) out += (out.empty() ? "" : " ") + e.name;
  if (m.backend->is_external())
    out += "external " + m.backend->external_name + ":" + std::to_string(m.backend->external_port);
  return out;
}

const std::string named_port_world = R"(
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  ports:
  - {name: metrics, port: 9090, targetPort: 9090}
  - {name: http, port: 80, targetPort: web-port}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: metrics, port: 9090}, {name: http, port: 8080}]
endpoints:
- {addresses: [10.0.0.3], conditions: {ready: true}}
- {addresses: [10.0.0.1]}
- {addresses: [10.0.0.9], conditions: {ready: false}}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-2, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 8080}]
endpoints:
- {addresses: [10.0.0.1, 10.0.0.2]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: other, namespace: default, labels: {kubernetes.io/service-name: other}}
addressType: IPv4
ports: [{name: http, port: 7777}]
endpoints: [{addresses: [10.9.9.9]}]
---
)";

}  // namespace

TEST_CASE("a Service port resolves through the slice port of the same name", "[translator]") {
  struct Case {
    const char* port;  // as the Ingress names it
    const char* endpoints;
  };
  const Case cases[] = {
      {"80", "10.0.0.1:8080 10.0.0.2:8080 10.0.0.3:8080"},
      {"http", "10.0.0.1:8080 10.0.0.2:8080 10.0.0.3:8080"},
      {"9090", "10.0.0.1:9090 10.0.0.3:9090"},
      {"metrics", "10.0.0.1:9090 10.0.0.3:9090"},
  };
  for (const auto& c : cases) {
    INFO(c.port);
    auto r = translate_yaml(named_port_world +
                            ingress({.name = "i", .rules = {rule("", {path("/", "Prefix", "web", c.port)})}}));
    CHECK(endpoints_of(r, "h", "/") == c.endpoints);
    CHECK(target(r, "h", "/") == std::string("default/web:") + c.port);
    CHECK(r.warnings.empty());
  }
}

TEST_CASE("not-ready endpoints are excluded, absent ready counts as ready, duplicates merge",
          "[translator]") {
  auto r = translate_yaml(named_port_world +
                          ingress({.name = "i", .rules = {rule("", {path("/", "Prefix", "web")})}}));
  const auto& eps = r.table->match("h", "/").backend->endpoints;
  REQUIRE(eps.size() == 3);  // 10.0.0.9 is not ready; 10.0.0.1 is in both slices
  CHECK(eps[0].address == boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("10.0.0.1"), 8080));
  // Kept apart for /debug/backends, never routed to.
  const auto& not_ready = r.table->match("h", "/").backend->not_ready;
  REQUIRE(not_ready.size() == 1);
  CHECK(not_ready[0].name == "10.0.0.9:8080");
}

TEST_CASE("a missing Service or port keeps the route on a 503 backend with a warning",
          "[translator]") {
  struct Case {
    const char* service;
    const char* port;
    const char* warning;
  };
  const Case cases[] = {
      {"nope", "80", "Ingress default/i: service default/nope not found; its routes answer 503"},
      {"web", "81", "Ingress default/i: service default/web has no port 81"},
      {"web", "grpc", "Ingress default/i: service default/web has no port grpc"},
  };
  for (const auto& c : cases) {
    INFO(c.service << ":" << c.port);
    auto r = translate_yaml(named_port_world +
                            ingress({.name = "i", .rules = {rule("a.com", {path("/", "Prefix", c.service, c.port)})}}));
    auto m = r.table->match("a.com", "/");
    REQUIRE(m.route);
    CHECK(m.backend->endpoints.empty());
    CHECK_FALSE(m.backend->is_external());
    CHECK(has_warning(r, c.warning));
  }
}

TEST_CASE("a Service without ready endpoints is a 503 backend without a warning", "[translator]") {
  auto r = translate_yaml("apiVersion: v1\nkind: Service\nmetadata: {name: idle}\nspec: {ports: [{port: 80}]}\n---\n" +
                          ingress({.name = "i", .rules = {rule("", {path("/", "Prefix", "idle")})}}));
  CHECK(endpoints_of(r, "h", "/").empty());
  CHECK(r.warnings.empty());
}

TEST_CASE("an ExternalName Service becomes an external backend", "[translator]") {
  const std::string svc = R"(
apiVersion: v1
kind: Service
metadata: {name: ext, namespace: default}
spec: {type: ExternalName, externalName: api.example.org, ports: [{name: https, port: 443}]}
---
)";
  auto by_number = translate_yaml(svc + ingress({.name = "i", .rules = {rule("", {path("/", "Prefix", "ext", "8443")})}}));
  CHECK(endpoints_of(by_number, "h", "/") == "external api.example.org:8443");
  auto by_name = translate_yaml(svc + ingress({.name = "i", .rules = {rule("", {path("/", "Prefix", "ext", "https")})}}));
  CHECK(endpoints_of(by_name, "h", "/") == "external api.example.org:443");
  CHECK(by_name.warnings.empty());
}

TEST_CASE("IPv6 endpoints are bracketed and FQDN slices are skipped with a warning",
          "[translator]") {
  const std::string yaml = R"(
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {ports: [{port: 80}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-v6, labels: {kubernetes.io/service-name: web}}
addressType: IPv6
ports: [{port: 8080}]
endpoints: [{addresses: ["fd00::1"]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-fqdn, labels: {kubernetes.io/service-name: web}}
addressType: FQDN
ports: [{port: 8080}]
endpoints: [{addresses: [pod.example.org]}]
---
)";
  auto r = translate_yaml(yaml + ingress({.name = "i", .rules = {rule("", {path("/", "Prefix", "web")})}}));
  CHECK(endpoints_of(r, "h", "/") == "[fd00::1]:8080");
  CHECK(has_warning(r, "EndpointSlice default/web-fqdn: addressType FQDN is not supported"));
}

TEST_CASE("the oldest defaultBackend is global and each one serves its own Ingress's hosts",
          "[translator]") {
  auto r = translate_yaml(
      ingress({.name = "old", .rules = {rule("old.com", {path("/api", "Prefix", "api")})},
               .created = "2024-01-01T00:00:00Z", .default_service = "fallback"}) +
      ingress({.name = "new", .rules = {rule("new.com", {path("/api", "Prefix", "api2")})},
               .created = "2024-03-01T00:00:00Z", .default_service = "new-fallback"}) +
      ingress({.name = "plain", .rules = {rule("plain.com", {path("/api", "Prefix", "api3")})}}) +
      ingress({.name = "only-default", .rules = {}, .created = "2024-05-01T00:00:00Z",
               .default_service = "lonely"}));
  const struct {
    const char* host;
    const char* path;
    const char* expected;
  } table[] = {
      {"old.com", "/api", "default/api:80"},
      {"old.com", "/other", "default/fallback:80"},
      {"new.com", "/other", "default/new-fallback:80"},
      {"plain.com", "/other", "default/fallback:80"},  // no default of its own: the global one
      {"unknown.com", "/", "default/fallback:80"},
  };
  for (const auto& q : table) {
    INFO(q.host << q.path);
    CHECK(target(r, q.host, q.path) == q.expected);
  }
  CHECK(r.counts.ingresses_served == 4);
  CHECK(r.table->match("x", "/").route->is_default);
}

TEST_CASE("an Ingress with only a defaultBackend serves every request", "[translator]") {
  auto r = translate_yaml(service_with_endpoints("web", "10.0.0.1") +
                          ingress({.name = "d", .rules = {}, .default_service = "web"}));
  CHECK(target(r, "any.host", "/any/path") == "default/web:80");
  CHECK(endpoints_of(r, "x", "/") == "10.0.0.1:8080");
  CHECK(r.warnings.empty());
  CHECK(r.counts.routes == 1);
}

TEST_CASE("counts report served Ingresses, hosts, routes and backends", "[translator]") {
  auto r = translate_yaml(ingress({.name = "a", .rules = {rule("a.com", {path("/", "Prefix", "x"), path("/y", "Exact", "y")}),
                                                          rule("b.com", {path("/", "Prefix", "x")}),
                                                          rule("", {path("/", "Prefix", "x")})}}) +
                          ingress({.name = "b", .rules = {rule("a.com", {path("/", "Prefix", "x")})}, .class_name = "other"}));
  CHECK(r.counts.ingresses_served == 1);
  CHECK(r.counts.ingresses_ignored == 1);
  CHECK(r.counts.hosts == 2);
  CHECK(r.counts.routes == 4);
  CHECK(r.counts.backends == 2);
}
