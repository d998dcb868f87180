// Test helpers for the controller: objects written as compact YAML, a store
// filled from them, and a one-line view of where a request goes.
#pragma once

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "controller/object_store.h"
#include "controller/source/manifest_parse.h"
#include "controller/translate/translator.h"

namespace sluice::controller::test {

// A path of an Ingress rule, as flow YAML. Empty `path`/`type` are omitted.
inline std::string path(const std::string& p, const std::string& type, const std::string& service,
                        const std::string& port = "80") {
  bool numeric = !port.empty() && port.find_first_not_of("0123456789") == std::string::npos;
  std::string out = "{";
  if (!p.empty()) out += "path: \"" + p + "\", ";
  if (!type.empty()) out += "pathType: " + type + ", ";
  out += "backend: {service: {name: " + service + ", port: {" + (numeric ? "number: " : "name: ") +
         port + "}}}}";
  return out;
}

inline std::string rule(const std::string& host, const std::vector<std::string>& paths) {
  std::string out = "{";
  if (!host.empty()) out += "host: \"" + host + "\", ";
  out += "http: {paths: [";
  for (std::size_t i = 0; i < paths.size(); ++i) out += (i ? ", " : "") + paths[i];
  return out + "]}}";
}

struct IngressSpec {
  std::string name;
  std::string ns = "default";
  std::vector<std::string> rules;
  std::string class_name = "sluice";  // "" omits spec.ingressClassName
  std::string created;                // creationTimestamp; "" omits it
  std::string annotations;            // flow map body, e.g. "a: b"
  std::string default_service;        // spec.defaultBackend service; "" omits it
};

inline std::string ingress(const IngressSpec& s) {
  std::string out = "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: {name: " + s.name +
                    ", namespace: " + s.ns;
  if (!s.created.empty()) out += ", creationTimestamp: \"" + s.created + "\"";
  if (!s.annotations.empty()) out += ", annotations: {" + s.annotations + "}";
  out += "}\nspec:\n";
  if (!s.class_name.empty()) out += "  ingressClassName: " + s.class_name + "\n";
  if (!s.default_service.empty())
    out += "  defaultBackend: {service: {name: " + s.default_service + ", port: {number: 80}}}\n";
  out += "  rules: [";
  for (std::size_t i = 0; i < s.rules.size(); ++i) out += (i ? ", " : "") + s.rules[i];
  return out + "]\n---\n";
}

// A Service with one port 80 named "http" and a slice with the given ready
// addresses on target port 8080.
inline std::string service_with_endpoints(const std::string& name, const std::string& addresses,
                                          const std::string& ns = "default") {
  return "apiVersion: v1\nkind: Service\nmetadata: {name: " + name + ", namespace: " + ns +
         "}\nspec: {ports: [{name: http, port: 80, targetPort: 8080}]}\n---\n"
         "apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: " + name +
         "-abc, namespace: " + ns + ", labels: {kubernetes.io/service-name: " + name +
         "}}\naddressType: IPv4\nports: [{name: http, port: 8080}]\nendpoints: [{addresses: [" +
         addresses + "]}]\n---\n";
}

inline std::string ingress_class(const std::string& name, const std::string& controller,
                                 bool is_default = false) {
  std::string out = "apiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata: {name: " + name;
  if (is_default) out += ", annotations: {ingressclass.kubernetes.io/is-default-class: \"true\"}";
  return out + "}\nspec: {controller: " + controller + "}\n---\n";
}

// Fills a store; every object must decode.
inline void load(ObjectStore& store, const std::string& yaml) {
  ParsedManifest parsed = parse_manifest(yaml);
  INFO(yaml);
  REQUIRE(parsed.ok);
  for (auto& r : parsed.objects) {
    INFO(r.error);
    REQUIRE(r.object);
    store.upsert(*r.object);
  }
}

inline TranslationResult translate_yaml(const std::string& yaml, const TranslatorOptions& options = {}) {
  ObjectStore store;
  load(store, yaml);
  return translate(store, options, 1);
}

// "namespace/service:port", or "404".
inline std::string target(const TranslationResult& r, std::string_view host, std::string_view path) {
  auto m = r.table->match(host, path);
  return m.route ? m.backend->name : "404";
}

inline std::vector<std::string> reasons(const TranslationResult& r) {
  std::vector<std::string> out;
  for (const auto& w : r.warnings)
    out.push_back(std::string(k8s::kind_name(w.object.kind)) + " " + w.object.key() + ": " + w.reason);
  return out;
}

inline bool has_warning(const TranslationResult& r, std::string_view fragment) {
  for (const auto& line : reasons(r))
    if (line.find(fragment) != std::string::npos) return true;
  return false;
}

}  // namespace sluice::controller::test
