// Translator and annotations: issues become warnings and counts, a denied
// location answers 503, a rejected Ingress is not served, and one bad
// annotation never affects another Ingress.
#include <catch2/catch.hpp>

#include "controller/translate/annotations/ingress_annotations.h"
#include "tests/unit/controller/fixture.h"

using namespace sluice::controller;
using namespace sluice::controller::test;

namespace {

const sluice::RoutePolicy& policy_at(const TranslationResult& r, std::string_view host, std::string_view path) {
  auto m = r.table->match(host, path);
  REQUIRE(m.route);
  return r.table->policy(*m.route);
}

std::string two_ingresses(const std::string& first_annotations) {
  return service_with_endpoints("web", "10.0.0.1") +
         ingress({.name = "first", .rules = {rule("a.example", {path("/", "Prefix", "web")})},
                  .annotations = first_annotations}) +
         ingress({.name = "second", .rules = {rule("b.example", {path("/", "Prefix", "web")})}});
}

}  // namespace

TEST_CASE("ssl-redirect and force-ssl-redirect follow ingress-nginx's defaults", "[translator][annotations]") {
  struct Case {
    const char* annotations;
    bool expected;  // on a host without TLS
  };
  const Case cases[] = {
      {"", false},
      {"nginx.ingress.kubernetes.io/force-ssl-redirect: \"true\"", true},
      {"nginx.ingress.kubernetes.io/force-ssl-redirect: \"1\"", true},
      {"nginx.ingress.kubernetes.io/force-ssl-redirect: \"yes\"", false},  // invalid: default
      {"nginx.ingress.kubernetes.io/ssl-redirect: \"true\"", false},       // needs TLS on the host
  };
  for (const auto& c : cases) {
    INFO(c.annotations);
    auto r = translate_yaml(two_ingresses(c.annotations));
    CHECK(policy_at(r, "a.example", "/").ssl_redirect == c.expected);
    CHECK_FALSE(policy_at(r, "b.example", "/").ssl_redirect);
  }
}

TEST_CASE("issues become warnings naming the key, and counts by kind", "[translator][annotations]") {
  auto r = translate_yaml(two_ingresses(
      "nginx.ingress.kubernetes.io/configuration-snippet: \"return 200;\", "
      "nginx.ingress.kubernetes.io/force-ssl-redirect: \"maybe\", "
      "nginx.ingress.kubernetes.io/not-a-thing: \"x\""));
  CHECK(has_warning(r, "Ingress default/first: annotation nginx.ingress.kubernetes.io/configuration-snippet: "
                       "configuration text is never spliced in"));
  CHECK(has_warning(r, "annotation nginx.ingress.kubernetes.io/force-ssl-redirect: \"maybe\" is not a boolean; ignored"));
  CHECK(has_warning(r, "annotation nginx.ingress.kubernetes.io/not-a-thing: not an ingress-nginx annotation"));
  CHECK(r.counts.annotation_issues == std::map<std::string, std::size_t>{{"invalid", 1}, {"snippet", 1}, {"unknown", 1}});
  // The snippet is dropped, the rest of the Ingress is served, and the other is untouched.
  CHECK(target(r, "a.example", "/") == "default/web:80");
  CHECK(target(r, "b.example", "/") == "default/web:80");
  CHECK_FALSE(policy_at(r, "a.example", "/").denied);
}

TEST_CASE("an Ingress without nginx annotations reports nothing", "[translator][annotations]") {
  auto r = translate_yaml(two_ingresses("other.io/thing: \"x\""));
  CHECK(r.warnings.empty());
  CHECK(r.counts.annotation_issues.empty());
}

TEST_CASE("a location-denied issue denies every path of that Ingress only", "[translator][annotations]") {
  IngressAnnotations denied;
  denied.issues.push_back({"auth-type", IssueKind::invalid, IssueEffect::location_denied, "x"});
  // read_annotations sets policy.denied from the issues; policy_for_host keeps it.
  denied.policy.denied = true;
  CHECK(denied.policy_for_host(false).denied);
  CHECK_FALSE(denied.rejected());
  IngressAnnotations rejected;
  rejected.issues.push_back({"x", IssueKind::invalid, IssueEffect::ingress_rejected, "x"});
  CHECK(rejected.rejected());
}
