// RouteTable lookup against the Ingress v1 host and path tables.
#include <catch2/catch.hpp>

#include "tests/unit/backend_fixture.h"

#include "common/model/route_table.h"

using namespace sluice;

namespace {

using Fixture = test::RouteTableFixtureForTest;

std::string target(const RouteTable& t, std::string_view host, std::string_view path) {
  auto m = t.match(host, path);
  return m.route ? m.backend->name : "404";
}

}  // namespace

TEST_CASE("Prefix rules match whole path segments, as the Ingress pathType table says",
          "[router]") {
  Fixture f;
  f.route("", "/foo", PathMatch::prefix, "foo");
  f.route("", "/aaa/bbb/", PathMatch::prefix, "bbb");
  f.route("", "/exact", PathMatch::exact, "exact");
  auto t = std::move(f.builder).build(1);

  CHECK(target(*t, "x", "/foo") == "foo");
  CHECK(target(*t, "x", "/foo/") == "foo");
  CHECK(target(*t, "x", "/foo/bar") == "foo");
  CHECK(target(*t, "x", "/foobar") == "404");
  CHECK(target(*t, "x", "/aaa/bbb") == "bbb");
  CHECK(target(*t, "x", "/aaa/bbb/") == "bbb");
  CHECK(target(*t, "x", "/aaa/bbbxyz") == "404");
  CHECK(target(*t, "x", "/exact") == "exact");
  CHECK(target(*t, "x", "/exact/") == "404");
  CHECK(target(*t, "x", "/foo?x=/y") == "foo");
}

TEST_CASE("the longest prefix wins and Exact beats Prefix of the same path", "[router]") {
  Fixture f;
  f.route("", "/", PathMatch::prefix, "root");
  f.route("", "/aaa", PathMatch::prefix, "aaa");
  f.route("", "/aaa/bbb", PathMatch::prefix, "bbb");
  f.route("", "/aaa/bbb", PathMatch::exact, "exact");
  auto t = std::move(f.builder).build(1);

  CHECK(target(*t, "x", "/") == "root");
  CHECK(target(*t, "x", "/zzz") == "root");
  CHECK(target(*t, "x", "/aaa/ccc") == "aaa");
  CHECK(target(*t, "x", "/aaa/bbb") == "exact");
  CHECK(target(*t, "x", "/aaa/bbb/ccc") == "bbb");
}

TEST_CASE("exact hosts beat wildcards, which match one label only", "[router]") {
  Fixture f;
  f.route("foo.bar.com", "/", PathMatch::prefix, "exact-host");
  f.route("*.bar.com", "/", PathMatch::prefix, "wildcard");
  f.route("", "/", PathMatch::prefix, "catch-all");
  auto t = std::move(f.builder).build(1);

  CHECK(target(*t, "foo.bar.com", "/") == "exact-host");
  CHECK(target(*t, "FOO.Bar.com:8080", "/") == "exact-host");
  CHECK(target(*t, "baz.bar.com", "/") == "wildcard");
  CHECK(target(*t, "bar.com", "/") == "catch-all");
  CHECK(target(*t, "a.baz.bar.com", "/") == "catch-all");
  CHECK(target(*t, "other", "/") == "catch-all");
}

TEST_CASE("a known host with no matching path goes to the default backend", "[router]") {
  Fixture f;
  f.route("foo.com", "/api", PathMatch::prefix, "api");
  f.route("", "/", PathMatch::prefix, "catch-all");
  Route d;
  d.backend = f.backend("default");
  f.builder.set_default(d);
  auto t = std::move(f.builder).build(1);

  CHECK(target(*t, "foo.com", "/api/x") == "api");
  CHECK(target(*t, "foo.com", "/web") == "default");
  CHECK(target(*t, "bar.com", "/web") == "catch-all");
}

TEST_CASE("the first route added for a host and path wins a conflict", "[router]") {
  Fixture f;
  Route first;
  first.host = "a.com";
  first.path = "/x";
  first.backend = f.backend("first");
  Route second = first;
  second.backend = f.backend("second");
  CHECK(f.builder.add_route(first));
  CHECK_FALSE(f.builder.add_route(second));
  auto t = std::move(f.builder).build(7);
  CHECK(t->generation() == 7);
  CHECK(target(*t, "a.com", "/x/y") == "first");
}
