// Server-level annotations in the translator: app-root, from-to-www-redirect
// and server-alias apply to a whole host, as ingress-nginx's server block
// does, and resolve conflicts the way its controller does.
#include <catch2/catch.hpp>

#include "tests/unit/controller/fixture.h"

using namespace sluice;
using namespace sluice::controller;
using namespace sluice::controller::test;

namespace {

const std::string A = "nginx.ingress.kubernetes.io/";

const RoutePolicy* policy_at(const TranslationResult& r, std::string_view host, std::string_view path) {
  auto m = r.table->match(host, path);
  return m.route ? &r.table->policy(*m.route) : nullptr;
}

std::string annotation(const std::string& key, const std::string& value) {
  return A + key + ": \"" + value + "\"";
}

std::string web() { return service_with_endpoints("web", "10.0.0.1") + service_with_endpoints("api", "10.0.0.2"); }

}  // namespace

TEST_CASE("app-root applies to every path of the host, from any Ingress", "[translator][annotations][rewrite]") {
  auto r = translate_yaml(
      web() +
      ingress({.name = "old", .rules = {rule("a.example", {path("/app", "Prefix", "web")}),
                                        rule("c.example", {path("/", "Prefix", "web")}),
                                        rule("d.example", {path("/b", "Prefix", "web")})},
               .created = "2020-01-01T00:00:00Z", .annotations = annotation("app-root", "/old")}) +
      ingress({.name = "new", .rules = {rule("a.example", {path("/", "Prefix", "api")}),
                                        rule("b.example", {path("/", "Prefix", "api")}),
                                        rule("c.example", {path("/longer", "Prefix", "api")}),
                                        rule("d.example", {path("/a", "Prefix", "api")})},
               .created = "2021-01-01T00:00:00Z", .annotations = annotation("app-root", "/new")}));
  REQUIRE(policy_at(r, "a.example", "/"));
  // The first location in ingress-nginx's order decides: the longest path ...
  CHECK(policy_at(r, "a.example", "/")->app_root == "/old");  // on the other Ingress's path too
  CHECK(policy_at(r, "a.example", "/app")->app_root == "/old");
  CHECK(policy_at(r, "c.example", "/")->app_root == "/new");
  // ... then the greater path of the same length.
  CHECK(policy_at(r, "d.example", "/a")->app_root == "/old");
  CHECK(policy_at(r, "b.example", "/")->app_root == "/new");
  CHECK(target(r, "a.example", "/x") == "default/api:80");
}

TEST_CASE("app-root on a host without a rule for \"/\" still answers \"/\"", "[translator][annotations][rewrite]") {
  auto r = translate_yaml(web() + ingress({.name = "a", .rules = {rule("a.example", {path("/app", "Prefix", "web")})},
                                           .annotations = annotation("app-root", "/app")}));
  REQUIRE(policy_at(r, "a.example", "/"));
  CHECK(policy_at(r, "a.example", "/")->app_root == "/app");
  CHECK(target(r, "a.example", "/other") == "404");  // only "/" itself
}

TEST_CASE("from-to-www-redirect adds the twin host unless an Ingress serves it", "[translator][annotations][redirect]") {
  auto r = translate_yaml(
      web() +
      ingress({.name = "a", .rules = {rule("a.example", {path("/", "Prefix", "web")}),
                                      rule("www.b.example", {path("/", "Prefix", "web")}),
                                      rule("c.example", {path("/", "Prefix", "web")}),
                                      rule("*.w.example", {path("/", "Prefix", "web")})},
               .annotations = annotation("from-to-www-redirect", "true")}) +
      ingress({.name = "c", .rules = {rule("www.c.example", {path("/", "Prefix", "api")})}}));
  const RoutePolicy* www_a = policy_at(r, "www.a.example", "/deep/path");
  REQUIRE(www_a);
  CHECK(www_a->www_redirect == WwwRedirect{308, "a.example"});
  const RoutePolicy* b = policy_at(r, "b.example", "/");
  REQUIRE(b);
  CHECK(b->www_redirect == WwwRedirect{308, "www.b.example"});
  // www.c.example has its own rule: no redirect server.
  CHECK(target(r, "www.c.example", "/") == "default/api:80");
  CHECK_FALSE(policy_at(r, "www.c.example", "/")->www_redirect);
  // The hosts themselves are served as before; wildcards get no twin.
  CHECK_FALSE(policy_at(r, "a.example", "/")->www_redirect);
  CHECK(target(r, "www.*.w.example", "/") == "404");
}

TEST_CASE("from-to-www-redirect uses the ConfigMap's http-redirect-code", "[translator][annotations][redirect]") {
  // The translator's defaults are ingress-nginx's: 308.
  auto r = translate_yaml(web() + ingress({.name = "a", .rules = {rule("a.example", {path("/", "Prefix", "web")})},
                                           .annotations = annotation("from-to-www-redirect", "true")}));
  CHECK(policy_at(r, "www.a.example", "/")->www_redirect->code == 308);
}

TEST_CASE("server-alias serves every route of the host under more names", "[translator][annotations][hosts]") {
  auto r = translate_yaml(
      web() +
      ingress({.name = "a", .rules = {rule("a.example", {path("/", "Prefix", "web")})},
               .created = "2020-01-01T00:00:00Z", .annotations = annotation("server-alias", "alias.example, *.any.example, a.example, b.example")}) +
      ingress({.name = "a2", .rules = {rule("a.example", {path("/two", "Prefix", "api")})},
               .created = "2021-01-01T00:00:00Z", .annotations = annotation("server-alias", "late.example")}) +
      ingress({.name = "b", .rules = {rule("b.example", {path("/", "Prefix", "api")})},
               .created = "2022-01-01T00:00:00Z"}) +
      ingress({.name = "z", .rules = {rule("z.example", {path("/", "Prefix", "api")})},
               .created = "2023-01-01T00:00:00Z", .annotations = annotation("server-alias", "alias.example, z2.example")}));
  // Every path of a.example, from both Ingresses, under the alias.
  CHECK(target(r, "alias.example", "/") == "default/web:80");
  CHECK(target(r, "alias.example", "/two/x") == "default/api:80");
  CHECK(target(r, "x.any.example", "/two") == "default/api:80");
  // The first Ingress of the host that names aliases decides them.
  CHECK(target(r, "late.example", "/") == "404");
  CHECK(has_warning(r, "host \"a.example\" already has server-alias from Ingress default/a"));
  // A name an Ingress has a rule for stays its own.
  CHECK(target(r, "b.example", "/") == "default/api:80");
  // alias.example was claimed by a.example first (hosts by name, as nginx keeps the first server_name).
  CHECK(target(r, "z2.example", "/") == "default/api:80");
  CHECK(target(r, "alias.example", "/") == "default/web:80");
}

TEST_CASE("a rejected annotation value keeps the whole Ingress out", "[translator][annotations][hosts]") {
  auto r = translate_yaml(web() + ingress({.name = "a", .rules = {rule("a.example", {path("/", "Prefix", "web")})},
                                           .annotations = annotation("upstream-vhost", "bad host")}) +
                          ingress({.name = "b", .rules = {rule("b.example", {path("/", "Prefix", "web")})},
                                   .annotations = annotation("upstream-vhost", "inner.example")}));
  CHECK(target(r, "a.example", "/") == "404");
  REQUIRE(policy_at(r, "b.example", "/"));
  CHECK(policy_at(r, "b.example", "/")->headers.request ==
        std::vector<HeaderEdit>{{HeaderEditOp::set, "Host", "inner.example"}});
}
