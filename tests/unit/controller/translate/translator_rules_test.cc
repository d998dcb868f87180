// Translator: hosts, paths, precedence and conflicts, as tables.
#include <catch2/catch.hpp>

#include "tests/unit/controller/fixture.h"

using namespace sluice::controller;
using namespace sluice::controller::test;

namespace {

struct Request {
  const char* host;
  const char* path;
  const char* expected;  // backend name or "404"
};

void check_all(const TranslationResult& r, const std::vector<Request>& table) {
  for (const auto& q : table) {
    INFO(q.host << q.path);
    CHECK(target(r, q.host, q.path) == q.expected);
  }
}

}  // namespace

TEST_CASE("hosts follow the Ingress v1 wildcard table", "[translator]") {
  auto r = translate_yaml(
      ingress({.name = "hosts",
               .rules = {rule("foo.bar.com", {path("/", "Prefix", "exact")}),
                         rule("*.foo.com", {path("/", "Prefix", "wild")}),
                         rule("*.bar.com", {path("/", "Prefix", "wildbar")}),
                         rule("", {path("/", "Prefix", "any")})}}));
  check_all(r, {
                   {"foo.bar.com", "/", "default/exact:80"},    // exact beats *.bar.com
                   {"FOO.bar.com:8080", "/x", "default/exact:80"},
                   {"bar.foo.com", "/", "default/wild:80"},     // one label
                   {"baz.bar.foo.com", "/", "default/any:80"},  // two labels: no wildcard match
                   {"foo.com", "/", "default/any:80"},          // the bare domain: no match
                   {"x.bar.com", "/", "default/wildbar:80"},
                   {"other.org", "/", "default/any:80"},
               });
}

TEST_CASE("invalid hosts skip their rule with a warning and uppercase is lowercased",
          "[translator]") {
  struct Case {
    const char* host;
    bool valid;
  };
  const Case cases[] = {{"Foo.Example.COM", true}, {"*.example.com", true}, {"*", false},
                        {"a.*.com", false},        {"*foo.com", false},      {"foo.com:80", false},
                        {"10.0.0.1", false},       {"-bad.com", false},      {"foo..com", false},
                        {"under_score.com", false}};
  for (const auto& c : cases) {
    INFO(c.host);
    auto r = translate_yaml(ingress({.name = "i", .rules = {rule(c.host, {path("/", "Prefix", "web")})}}));
    CHECK(r.table->routes().size() == (c.valid ? 1u : 0u));
    CHECK(has_warning(r, "rule skipped") == !c.valid);
  }
  auto r = translate_yaml(ingress({.name = "i", .rules = {rule("Foo.Example.COM", {path("/", "Prefix", "web")})}}));
  CHECK(r.table->routes().at(0).host == "foo.example.com");
}

TEST_CASE("pathType follows the Ingress v1 examples table", "[translator]") {
  auto rules_for = [](std::vector<std::string> paths) {
    return translate_yaml(ingress({.name = "p", .rules = {rule("", std::move(paths))}}));
  };
  SECTION("Prefix / matches every path") {
    check_all(rules_for({path("/", "Prefix", "a")}), {{"h", "/", "default/a:80"}, {"h", "/x/y", "default/a:80"}});
  }
  SECTION("Exact /foo matches only /foo") {
    check_all(rules_for({path("/foo", "Exact", "a")}),
              {{"h", "/foo", "default/a:80"}, {"h", "/bar", "404"}, {"h", "/foo/", "404"}});
  }
  SECTION("Exact /foo/ matches only /foo/") {
    check_all(rules_for({path("/foo/", "Exact", "a")}), {{"h", "/foo", "404"}, {"h", "/foo/", "default/a:80"}});
  }
  SECTION("Prefix /foo and /foo/ match /foo, /foo/ and below, not /foobar") {
    for (const char* p : {"/foo", "/foo/"}) {
      check_all(rules_for({path(p, "Prefix", "a")}), {{"h", "/foo", "default/a:80"},
                                                      {"h", "/foo/", "default/a:80"},
                                                      {"h", "/foo/bar", "default/a:80"},
                                                      {"h", "/foobar", "404"}});
    }
  }
  SECTION("Prefix /aaa/bb does not match /aaa/bbb") {
    check_all(rules_for({path("/aaa/bb", "Prefix", "a")}), {{"h", "/aaa/bbb", "404"}, {"h", "/aaa/bb/c", "default/a:80"}});
  }
  SECTION("the longest prefix wins and Exact beats Prefix") {
    check_all(rules_for({path("/", "Prefix", "root"), path("/aaa", "Prefix", "aaa"),
                         path("/aaa/bbb", "Prefix", "bbb"), path("/aaa/bbb", "Exact", "exact")}),
              {{"h", "/aaa/bbb", "default/exact:80"},
               {"h", "/aaa/bbb/", "default/bbb:80"},
               {"h", "/aaa/ccc", "default/aaa:80"},
               {"h", "/ccc", "default/root:80"}});
  }
  SECTION("ImplementationSpecific is Prefix and a missing path is /") {
    check_all(rules_for({path("/is", "ImplementationSpecific", "is"), path("", "Prefix", "root")}),
              {{"h", "/is/x", "default/is:80"}, {"h", "/other", "default/root:80"}});
  }
}

TEST_CASE("paths without pathType, with an unknown pathType or not starting with / are skipped",
          "[translator]") {
  struct Case {
    const char* path;
    const char* type;
    const char* warning;
  };
  const Case cases[] = {{"/a", "", "has no pathType"},
                        {"/a", "Regex", "unknown pathType"},
                        {"a", "Prefix", "must start with '/'"},
                        {"", "Exact", "must start with '/'"}};
  for (const auto& c : cases) {
    INFO(c.path << " " << c.type);
    auto r = translate_yaml(ingress({.name = "i", .rules = {rule("h.com", {path(c.path, c.type, "web"),
                                                                          path("/ok", "Prefix", "ok")})}}));
    CHECK(r.table->routes().size() == 1);
    CHECK(target(r, "h.com", "/ok") == "default/ok:80");
    CHECK(has_warning(r, c.warning));
  }
}

TEST_CASE("rules for one host from several Ingresses merge", "[translator]") {
  auto r = translate_yaml(ingress({.name = "a", .rules = {rule("foo.com", {path("/a", "Prefix", "a")})}}) +
                          ingress({.name = "b", .ns = "other", .rules = {rule("foo.com", {path("/b", "Prefix", "b")})}}));
  check_all(r, {{"foo.com", "/a", "default/a:80"}, {"foo.com", "/b", "other/b:80"}, {"foo.com", "/c", "404"}});
  CHECK(r.counts.hosts == 1);
  CHECK(r.counts.ingresses_served == 2);
}

TEST_CASE("on a conflict the older Ingress wins and the newer one gets a warning", "[translator]") {
  const std::string newer = ingress({.name = "a-new", .rules = {rule("foo.com", {path("/", "Prefix", "new")})},
                                     .created = "2024-02-01T00:00:00Z"});
  const std::string older = ingress({.name = "z-old", .rules = {rule("foo.com", {path("/", "Prefix", "old")})},
                                     .created = "2024-01-01T00:00:00Z"});
  for (const auto& yaml : {newer + older, older + newer}) {
    auto r = translate_yaml(yaml);
    CHECK(target(r, "foo.com", "/") == "default/old:80");
    CHECK(has_warning(r, "Ingress default/a-new: host \"foo.com\" path \"/\" (Prefix) is already served by Ingress default/z-old"));
  }
}

TEST_CASE("a conflict between Ingresses of the same age goes to the first by namespace/name",
          "[translator]") {
  auto r = translate_yaml(ingress({.name = "b", .ns = "ns1", .rules = {rule("foo.com", {path("/x", "Exact", "b")})}}) +
                          ingress({.name = "a", .ns = "ns2", .rules = {rule("foo.com", {path("/x", "Exact", "a")})}}) +
                          ingress({.name = "a", .ns = "ns1", .rules = {rule("foo.com", {path("/x", "Exact", "first")})}}));
  CHECK(target(r, "foo.com", "/x") == "ns1/first:80");
  CHECK(has_warning(r, "Ingress ns1/b:"));
  CHECK(has_warning(r, "Ingress ns2/a:"));
  // A Prefix and an Exact rule on the same path do not conflict.
  auto mixed = translate_yaml(ingress({.name = "m", .rules = {rule("", {path("/x", "Exact", "e"), path("/x", "Prefix", "p")})}}));
  CHECK(mixed.warnings.empty() == false);  // services are missing, but no conflict warning:
  CHECK_FALSE(has_warning(mixed, "already served"));
}

TEST_CASE("translation is deterministic", "[translator]") {
  std::string yaml = service_with_endpoints("web", "10.0.0.2, 10.0.0.1") +
                     ingress({.name = "a", .rules = {rule("foo.com", {path("/", "Prefix", "web")})}}) +
                     ingress({.name = "b", .rules = {rule("foo.com", {path("/", "Prefix", "other")})}});
  auto first = translate_yaml(yaml);
  auto second = translate_yaml(yaml);
  CHECK(first.table->dump() == second.table->dump());
  CHECK(reasons(first) == reasons(second));
  CHECK(first.table->dump() ==
        "foo.com prefix / -> default/web:80 (default/a)\n"
        "backend default/web:80: 10.0.0.1:8080 10.0.0.2:8080\n");
}
