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
      {"class name equal to --ingress-class, but that IngressClass is another controller's",
       ingress_class("sluice", "k8s.io/ingress-nginx"), "sluice", "", false, false},
      {"class name equal to --ingress-class, that IngressClass is ours", ingress_class("sluice", "sluice.dev/ingress-controller"),
       "sluice", "", false, true},
      {"empty legacy annotation is not our class", "", "", "kubernetes.io/ingress.class: \"\"", true, false},
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

// `--ingress-class nginx --controller-class k8s.io/ingress-nginx` takes over
// what ingress-nginx v1.15.1 serves (store.go GetIngressClass): the
// IngressClass its chart installs, the legacy annotation, and class-less
// Ingresses only with --watch-ingress-without-class.
TEST_CASE("with ingress-nginx's class flags sluice serves the Ingresses ingress-nginx served", "[translator]") {
  const std::string classes = ingress_class("nginx", "k8s.io/ingress-nginx") +
                              ingress_class("internal", "k8s.io/ingress-nginx") +
                              ingress_class("traefik", "traefik.io/ingress-controller");
  struct Case {
    const char* name;
    std::string class_name;
    std::string annotations;
    bool served;                  // without --watch-ingress-without-class
    bool served_without_class;    // with it
  };
  const Case cases[] = {
      {"ingressClassName of the chart's IngressClass", "nginx", "", true, true},
      {"ingressClassName of a second IngressClass with the same controller", "internal", "", true, true},
      {"ingressClassName of another controller's IngressClass", "traefik", "", false, false},
      {"ingressClassName nobody defines", "missing", "", false, false},
      {"ingressClassName wins over the annotation", "traefik", "kubernetes.io/ingress.class: nginx", false, false},
      {"legacy annotation nginx", "", "kubernetes.io/ingress.class: nginx", true, true},
      {"legacy annotation of another class", "", "kubernetes.io/ingress.class: traefik", false, false},
      {"legacy annotation naming a class of our controller (only --ingress-class counts)", "",
       "kubernetes.io/ingress.class: internal", false, false},
      {"no class at all", "", "", false, true},
  };
  for (const auto& c : cases) {
    for (bool without_class : {false, true}) {
      INFO(c.name << (without_class ? ", --watch-ingress-without-class" : ""));
      TranslatorOptions options;
      options.ingress_class = "nginx";
      options.controller_class = "k8s.io/ingress-nginx";
      options.watch_ingress_without_class = without_class;
      auto r = translate_yaml(classes + ingress({.name = "i",
                                                 .rules = {rule("a.com", {path("/", "Prefix", "web")})},
                                                 .class_name = c.class_name,
                                                 .annotations = c.annotations}),
                              options);
      const bool served = without_class ? c.served_without_class : c.served;
      CHECK(r.counts.ingresses_served == (served ? 1u : 0u));
      CHECK(target(r, "a.com", "/") == (served ? "default/web:80" : "404"));
    }
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
