// Translator: which Ingresses are ours (class name, IngressClass, default
// class, legacy annotation), as a table.
#include <catch2/catch.hpp>

#include "tests/unit/controller/fixture.h"

using namespace sluice::controller;
using namespace sluice::controller::test;

TEST_CASE("an Ingress is served only when its class selects this controller", "[translator]") {
  const std::string ours = ingress_class("ours", "sluice.dev/ingress-controller");
  const std::string ours_default = ingress_class("ours", "sluice.dev/ingress-controller", true);
  const std::string nginx = ingress_class("nginx", "k8s.io/ingress-nginx");
  const std::string nginx_default = ingress_class("nginx", "k8s.io/ingress-nginx", true);
  const std::string legacy_ours = "kubernetes.io/ingress.class: sluice";
  const std::string legacy_other = "kubernetes.io/ingress.class: nginx";

  struct Case {
    const char* name;
    std::string classes;      // IngressClass objects in the store
    std::string class_name;   // spec.ingressClassName ("" = none)
    std::string annotations;  // metadata.annotations
    bool watch_without_class;
    bool served;
  };
  const Case cases[] = {
      {"class name equal to --ingress-class, no IngressClass object", "", "sluice", "", false, true},
      {"class name of an IngressClass with our controller", ours, "ours", "", false, true},
      {"class name of another controller's IngressClass", nginx, "nginx", "", false, false},
      {"class name nobody defines", "", "unknown", "", false, false},
      {"class name wins over a legacy annotation", ours, "ours", legacy_other, false, true},
      {"no class, our IngressClass is the default", ours_default, "", "", false, true},
      {"no class, our IngressClass is not the default", ours, "", "", false, false},
      {"no class, another controller's class is the default", nginx_default, "", "", false, false},
      {"no class, watch-ingress-without-class", "", "", "", true, true},
      {"legacy annotation equal to --ingress-class", "", "", legacy_ours, false, true},
      {"legacy annotation of another class", ours_default, "", legacy_other, false, false},
      {"legacy annotation of another class with watch-without-class", "", "", legacy_other, true, false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    TranslatorOptions options;
    options.watch_ingress_without_class = c.watch_without_class;
    auto r = translate_yaml(c.classes + ingress({.name = "i",
                                                 .rules = {rule("a.com", {path("/", "Prefix", "web")})},
                                                 .class_name = c.class_name,
                                                 .annotations = c.annotations}),
                            options);
    CHECK(r.counts.ingresses_served == (c.served ? 1u : 0u));
    CHECK(r.counts.ingresses_ignored == (c.served ? 0u : 1u));
    CHECK(target(r, "a.com", "/") == (c.served ? "default/web:80" : "404"));
  }
}

TEST_CASE("the --ingress-class and controller name come from the options", "[translator]") {
  TranslatorOptions options;
  options.ingress_class = "edge";
  options.controller_class = "example.com/edge";
  auto r = translate_yaml(ingress_class("edge-class", "example.com/edge") +
                              ingress({.name = "by-name", .rules = {rule("a.com", {path("/", "Prefix", "a")})},
                                       .class_name = "edge"}) +
                              ingress({.name = "by-class", .rules = {rule("b.com", {path("/", "Prefix", "b")})},
                                       .class_name = "edge-class"}) +
                              ingress({.name = "default-name", .rules = {rule("c.com", {path("/", "Prefix", "c")})}}),
                          options);
  CHECK(target(r, "a.com", "/") == "default/a:80");
  CHECK(target(r, "b.com", "/") == "default/b:80");
  CHECK(target(r, "c.com", "/") == "404");
}
