// Manifest text to objects: multi-document YAML, List, JSON, broken files
// and fields of the wrong type.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "controller/source/manifest_parse.h"

using namespace sluice;
using namespace sluice::controller;

namespace {

std::string read_data(const std::string& relative) {
  std::ifstream in(std::string(SLUICE_TEST_DATA) + "/" + relative);
  REQUIRE(in.good());
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::vector<std::string> names(const ParsedManifest& m) {
  std::vector<std::string> out;
  for (const auto& r : m.objects)
    out.push_back(r.object ? std::string(k8s::kind_name(k8s::kind_of(*r.object))) + " " +
                                 k8s::ref_of(*r.object).key()
                           : "error: " + r.error);
  return out;
}

}  // namespace

TEST_CASE("a multi-document YAML file yields each object in order", "[manifest]") {
  auto m = parse_manifest(read_data("manifests/basic/10-web.yaml"));
  REQUIRE(m.ok);
  CHECK(names(m) == std::vector<std::string>{"Service shop/web", "EndpointSlice shop/web-x7k2p",
                                             "Ingress shop/shop"});
  const auto& slice = *std::get<std::shared_ptr<const k8s::EndpointSlice>>(*m.objects[1].object);
  CHECK(slice.service_name == "web");
  CHECK(slice.endpoints.size() == 2);
  CHECK(slice.endpoints[1].ready);  // conditions absent: ready
  const auto& ing = *std::get<std::shared_ptr<const k8s::Ingress>>(*m.objects[2].object);
  CHECK(ing.rules.at(0).paths.at(0).backend.service_port.name == "http");
  CHECK(ing.meta.annotations.at("example.com/unused") == "kept but ignored");
}

TEST_CASE("a List is expanded and kinds sluice does not use are reported, not errors",
          "[manifest]") {
  auto m = parse_manifest(read_data("manifests/basic/20-list.yaml"));
  REQUIRE(m.ok);
  REQUIRE(m.objects.size() == 2);
  const auto& cls = *std::get<std::shared_ptr<const k8s::IngressClass>>(*m.objects[0].object);
  CHECK(cls.is_default);
  CHECK(cls.meta.ns.empty());  // cluster-scoped
  CHECK(m.objects[1].unknown_kind);
}

TEST_CASE("a JSON file parses like YAML", "[manifest]") {
  auto m = parse_manifest(read_data("manifests/basic/30-api.json"));
  REQUIRE(m.ok);
  REQUIRE(names(m) == std::vector<std::string>{"Ingress shop/api"});
  const auto& ing = *std::get<std::shared_ptr<const k8s::Ingress>>(*m.objects[0].object);
  CHECK(ing.meta.creation_time == 1714557600);
  CHECK(ing.rules[0].paths[0].backend.service_port.number == 80);
  CHECK_FALSE(ing.ingress_class_name);
}

TEST_CASE("a TLS Secret keeps its decoded certificate and key", "[manifest]") {
  auto m = parse_manifest(read_data("manifests/basic/40-tls.yaml"));
  REQUIRE(m.ok);
  const auto& s = *std::get<std::shared_ptr<const k8s::Secret>>(*m.objects.at(0).object);
  CHECK(s.is_tls());
  CHECK(s.tls_crt == "cert");
  CHECK(s.tls_key == "key");
}

TEST_CASE("a file that is not YAML is one error, not a crash", "[manifest]") {
  auto m = parse_manifest(read_data("manifests/broken.yaml"));
  CHECK_FALSE(m.ok);
  CHECK_FALSE(m.error.empty());
  CHECK(m.objects.empty());
  CHECK(parse_manifest("").ok);
  CHECK(parse_manifest("---\n---\n").objects.empty());
}

TEST_CASE("fields of the wrong type fail only their object, naming the field", "[manifest]") {
  auto m = parse_manifest(read_data("manifests/wrong-types.yaml"));
  REQUIRE(m.ok);
  CHECK(names(m) == std::vector<std::string>{
                        "error: spec.rules: expected a list",
                        "error: spec.ports[0].port: expected an integer, got \"eighty\"",
                        "error: endpoints[0].conditions.ready: expected a boolean, got \"maybe\"",
                        "Service default/fine"});
  REQUIRE(m.objects[0].ref);  // identity is still known, so a previous version can be kept
  CHECK(m.objects[0].ref->key() == "default/bad-rules");
}

TEST_CASE("decode errors name missing required fields", "[manifest]") {
  struct Case {
    const char* yaml;
    const char* error;
  };
  const Case cases[] = {
      {"apiVersion: v1\nkind: Service\nspec: {}", "metadata: required field is missing"},
      {"apiVersion: v1\nkind: Service\nmetadata: {namespace: x}", "metadata.name: required field is missing"},
      {"apiVersion: v1\nkind: Service\nmetadata: {name: [a]}", "metadata.name: expected a string"},
      {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: 70000}]}",
       "spec.ports[0].port: value 70000 is outside 1..65535"},
      {"apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {type: ExternalName}",
       "spec.externalName: required for type ExternalName"},
      {"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i}\nspec: {defaultBackend: {service: {name: s}}}",
       "spec.defaultBackend.service.port: required field is missing"},
      {"apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: i, creationTimestamp: yesterday}",
       "metadata.creationTimestamp: not an RFC 3339 time"},
      {"apiVersion: v1\nkind: Secret\ntype: kubernetes.io/tls\nmetadata: {name: s}\ndata: {tls.crt: '!!'}",
       "data.tls.crt: not valid base64"},
      {"apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: e}",
       "addressType: required field is missing"},
      {"- just\n- a list", "object: expected an object"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml);
    auto m = parse_manifest(c.yaml);
    REQUIRE(m.ok);
    REQUIRE(m.objects.size() == 1);
    CHECK(m.objects[0].error == c.error);
  }
}

TEST_CASE("unknown fields are ignored and int-or-string targetPort keeps its form", "[manifest]") {
  auto m = parse_manifest(R"(
apiVersion: v1
kind: Service
metadata: {name: s, uid: 123, managedFields: [{x: y}]}
spec:
  clusterIP: 10.96.0.10
  ports: [{port: 80, targetPort: 8080}, {name: h, port: 81, targetPort: http}]
status: {loadBalancer: {}}
)");
  REQUIRE(m.ok);
  const auto& s = *std::get<std::shared_ptr<const k8s::Service>>(*m.objects.at(0).object);
  CHECK(s.ports[0].target_port.number == 8080);
  CHECK(s.ports[1].target_port.name == "http");
  CHECK(s.type == "ClusterIP");
}

TEST_CASE("RFC 3339 times parse to Unix seconds", "[manifest]") {
  CHECK(k8s::parse_rfc3339("1970-01-01T00:00:00Z") == 0);
  CHECK(k8s::parse_rfc3339("2024-05-01T10:00:00Z") == 1714557600);
  CHECK(k8s::parse_rfc3339("2024-05-01T12:00:00.123+02:00") == 1714557600);
  CHECK_FALSE(k8s::parse_rfc3339("2024-02-30T00:00:00Z"));
  CHECK_FALSE(k8s::parse_rfc3339("2024-05-01 10:00:00"));
}

TEST_CASE("a syntax error names its line and column and yields no objects", "[manifest]") {
  auto m = parse_manifest("apiVersion: v1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80}\n");
  CHECK_FALSE(m.ok);
  CHECK(m.error == "line 6, column 1: did not find expected ',' or ']' "
                   "(while parsing a flow sequence at line 5, column 10)");
  CHECK(m.objects.empty());
  // An error in a later document fails the whole file, so its earlier
  // objects are not applied without the rest.
  auto later = parse_manifest(read_data("manifests/basic/10-web.yaml") + "---\nkind: [\n");
  CHECK_FALSE(later.ok);
  CHECK(later.objects.empty());
}

TEST_CASE("a TLS Secret written with block scalars keeps its PEM lines", "[manifest]") {
  auto m = parse_manifest(R"(apiVersion: v1
kind: Secret
type: kubernetes.io/tls
metadata:
  name: tls   # the certificate of shop.example.com
  namespace: shop
stringData:
  tls.crt: |
    -----BEGIN CERTIFICATE-----
    MIIB
    -----END CERTIFICATE-----
  tls.key: >-
    folded
    key
)");
  REQUIRE(m.ok);
  const auto& s = *std::get<std::shared_ptr<const k8s::Secret>>(*m.objects.at(0).object);
  CHECK(s.tls_crt == "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n");
  CHECK(s.tls_key == "folded key");
}

TEST_CASE("anchors, flow style, quoting, tags and nulls decode like plain YAML", "[manifest]") {
  auto m = parse_manifest(R"(
# a List whose Services share their ports through an anchor
apiVersion: v1
kind: List
items:
- {apiVersion: v1, kind: Service, metadata: {name: 'a', namespace: "shop"},
   spec: {ports: &ports [{name: http, port: !!int 80, targetPort: "8080"}]}}
- apiVersion: !!str v1
  kind: Service
  metadata:
    name: b
    namespace: shop
    labels: ~
    annotations:
      note: !!str null
      empty:
  spec:
    ports: *ports
)");
  REQUIRE(m.ok);
  REQUIRE(names(m) == std::vector<std::string>{"Service shop/a", "Service shop/b"});
  const auto& b = *std::get<std::shared_ptr<const k8s::Service>>(*m.objects[1].object);
  CHECK(b.ports.at(0).port == 80);
  CHECK(b.ports.at(0).target_port.number == 8080);
  CHECK(b.meta.annotations.at("note") == "null");
  CHECK(b.meta.annotations.at("empty").empty());
}
