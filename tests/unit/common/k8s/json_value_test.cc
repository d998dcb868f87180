// The simdjson Value: API JSON decodes through the same decoders as YAML.
#include <catch2/catch.hpp>

#include "common/k8s/json_value.h"
#include "common/k8s/object.h"

namespace sluice::k8s {
namespace {

std::shared_ptr<const Value> parse(std::string_view text) {
  std::string error;
  auto v = parse_json(text, error);
  INFO(error);
  REQUIRE(v);
  return v;
}

TEST_CASE("JSON scalars read as the text a YAML scalar would give", "[json]") {
  auto v = parse(R"({"s": "web", "i": 80, "n": -3, "b": true, "f": false, "d": 1.5, "z": null, "big": 18446744073709551615})");
  CHECK(v->member("s")->scalar() == "web");
  CHECK(v->member("i")->scalar() == "80");
  CHECK(v->member("n")->scalar() == "-3");
  CHECK(v->member("b")->scalar() == "true");
  CHECK(v->member("f")->scalar() == "false");
  CHECK(v->member("d")->scalar() == "1.5");
  CHECK(v->member("big")->scalar() == "18446744073709551615");
  CHECK(v->member("z")->kind() == Value::type::null);
  CHECK(v->member("absent")->kind() == Value::type::missing);
  CHECK(v->member("s")->member("x")->kind() == Value::type::missing);
}

TEST_CASE("JSON lists and maps keep their order", "[json]") {
  auto v = parse(R"({"l": [1, "two", {"k": "v"}], "m": {"b": 1, "a": 2}})");
  auto l = v->member("l")->elements();
  REQUIRE(l.size() == 3);
  CHECK(l[1]->scalar() == "two");
  CHECK(l[2]->member("k")->scalar() == "v");
  auto m = v->member("m")->members();
  REQUIRE(m.size() == 2);
  CHECK(m[0].first == "b");
  CHECK(v->member("s")->elements().empty());
}

TEST_CASE("invalid JSON is an error, never a crash", "[json]") {
  std::string error;
  CHECK(parse_json("{\"a\": [1, 2", error) == nullptr);
  CHECK_FALSE(error.empty());
  CHECK(parse_json("", error) == nullptr);
}

TEST_CASE("values outlive the document's other handles", "[json]") {
  std::shared_ptr<const Value> inner;
  {
    auto v = parse(R"({"a": {"b": "kept"}})");
    inner = v->member("a");
  }
  CHECK(inner->member("b")->scalar() == "kept");
}

TEST_CASE("a LIST item without apiVersion/kind decodes with the list's type", "[json]") {
  auto list = parse(R"({"kind": "IngressList", "apiVersion": "networking.k8s.io/v1", "metadata": {"resourceVersion": "9"},
    "items": [{"metadata": {"name": "web", "namespace": "shop", "uid": "u-1", "resourceVersion": "8",
               "creationTimestamp": "2024-05-01T10:00:00Z"},
               "spec": {"ingressClassName": "sluice", "rules": [{"host": "a.example", "http": {"paths": [
                 {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "s", "port": {"number": 80}}}}]}}]},
               "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}, {"hostname": "lb.example"}, {}]}}}]})");
  auto items = list->member("items")->elements();
  REQUIRE(items.size() == 1);
  std::shared_ptr<const Value> item = std::move(items[0]);
  CHECK(decode_object(item).unknown_kind);  // no type: not decodable alone
  auto r = decode_object(with_type_meta(item, "networking.k8s.io/v1", "Ingress"));
  INFO(r.error);
  REQUIRE(r.object);
  auto ing = std::get<std::shared_ptr<const Ingress>>(*r.object);
  CHECK(ing->meta.key() == "shop/web");
  CHECK(ing->meta.uid == "u-1");
  CHECK(ing->meta.resource_version == "8");
  CHECK(ing->rules.at(0).paths.at(0).backend.service_port.number == 80);
  REQUIRE(ing->load_balancer.size() == 2);
  CHECK(ing->load_balancer[0].ip == "10.0.0.1");
  CHECK(ing->load_balancer[1].hostname == "lb.example");
  // An object that names its own kind keeps it.
  auto svc = parse(R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}})");
  auto rs = decode_object(with_type_meta(svc, "networking.k8s.io/v1", "Ingress"));
  REQUIRE(rs.object);
  CHECK(kind_of(*rs.object) == Kind::service);
}

TEST_CASE("a wrong-typed API object fails to decode with its path", "[json]") {
  auto v = parse(R"({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "x"},
                     "spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": "Prefix",
                       "backend": {"service": {"name": "s", "port": {"number": "eighty"}}}}]}}]}})");
  auto r = decode_object(v);
  CHECK_FALSE(r.object);
  CHECK(r.error.find("spec.rules[0].http.paths[0].backend.service.port.number") != std::string::npos);
  REQUIRE(r.ref);
  CHECK(r.ref->key() == "default/x");
}

TEST_CASE("json_quote escapes what JSON requires", "[json]") {
  CHECK(json_quote("a\"b\\c\n\x01") == "\"a\\\"b\\\\c\\n\\u0001\"");
  std::string error;
  auto v = parse_json("{\"k\": " + json_quote("tab\there \"q\"") + "}", error);
  REQUIRE(v);
  CHECK(v->member("k")->scalar() == "tab\there \"q\"");
}

}  // namespace
}  // namespace sluice::k8s
