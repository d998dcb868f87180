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
  // Designated initialisers: member assignments here trip GCC 12's false
  // -Wmaybe-uninitialized at -O3 (Release with -Werror).
  const Route first{.host = "a.com", .path = "/x", .backend = f.backend("first")};
  Route second = first;
  second.backend = f.backend("second");
  CHECK(f.builder.add_route(first));
  CHECK_FALSE(f.builder.add_route(second));
  auto t = std::move(f.builder).build(7);
  CHECK(t->generation() == 7);
  CHECK(target(*t, "a.com", "/x/y") == "first");
}

TEST_CASE("a host covered by a wildcard never falls through to the rules without a host", "[router]") {
  Fixture f;
  f.route("*.bar.com", "/api", PathMatch::prefix, "wild-api");
  f.route("", "/", PathMatch::prefix, "catch-all");
  f.default_backend("", "global");
  auto t = std::move(f.builder).build(1);

  CHECK(target(*t, "x.bar.com", "/api/v1") == "wild-api");
  CHECK(target(*t, "x.bar.com", "/web") == "global");
  CHECK(target(*t, "x.y.bar.com", "/web") == "catch-all");
  CHECK(target(*t, ".bar.com", "/web") == "catch-all");  // an empty first label is no label
}

TEST_CASE("the same path on different hosts and match types stays apart", "[router]") {
  Fixture f;
  f.route("a.com", "/p", PathMatch::exact, "a-exact");
  f.route("b.com", "/p", PathMatch::prefix, "b-prefix");
  f.route("*.a.com", "/p", PathMatch::prefix, "wild-a");
  f.route("", "/p", PathMatch::exact, "none-exact");
  auto t = std::move(f.builder).build(1);

  CHECK(target(*t, "a.com", "/p") == "a-exact");
  CHECK(target(*t, "a.com", "/p/q") == "404");
  CHECK(target(*t, "b.com", "/p/q") == "b-prefix");
  CHECK(target(*t, "x.a.com", "/p/q") == "wild-a");
  CHECK(target(*t, "c.com", "/p") == "none-exact");
  CHECK(target(*t, "c.com", "/p/q") == "404");
}

TEST_CASE("longest prefix holds at every depth, including paths of more than 31 segments", "[router]") {
  // The lookup skips probes by the number of '/' in a candidate (capped at
  // 31) and by Exact path length mod 32: neither may hide a match.
  std::string deep;
  for (int i = 0; i < 40; ++i) deep += "/s" + std::to_string(i);
  std::string deeper = deep;
  for (int i = 0; i < 5; ++i) deeper += "/t";
  Fixture f;
  f.route("h", "/a", PathMatch::prefix, "a");
  f.route("h", "/a/b/c", PathMatch::prefix, "abc");
  f.route("h", deep, PathMatch::prefix, "deep");
  f.route("h", "/" + std::string(31, 'x'), PathMatch::exact, "exact-32");  // length 32: same bit as "/"
  f.route("h", "/", PathMatch::exact, "exact-root");
  auto t = std::move(f.builder).build(1);

  CHECK(target(*t, "h", "/a/b") == "a");
  CHECK(target(*t, "h", "/a/b/c/d/e") == "abc");
  CHECK(target(*t, "h", "/a/b/cd") == "a");
  CHECK(target(*t, "h", deeper) == "deep");
  CHECK(target(*t, "h", deep + "x/t") == "404");
  CHECK(target(*t, "h", "/") == "exact-root");
  CHECK(target(*t, "h", "/" + std::string(31, 'x')) == "exact-32");
  CHECK(target(*t, "h", "/" + std::string(31, 'y')) == "404");
}

TEST_CASE("the root Prefix matches only paths that start with '/'", "[router]") {
  Fixture f;
  f.route("h", "/", PathMatch::prefix, "root");
  f.route("h", "abc", PathMatch::prefix, "bare");
  f.default_backend("h", "h-default");
  auto t = std::move(f.builder).build(1);

  CHECK(target(*t, "h", "/") == "root");
  CHECK(target(*t, "h", "//x//") == "root");
  CHECK(target(*t, "h", "abc/def") == "bare");
  CHECK(target(*t, "h", "*") == "h-default");
  CHECK(target(*t, "h", "") == "h-default");
  CHECK(target(*t, "h", "?x") == "h-default");
}

TEST_CASE("long host names and paths match as exactly as short ones", "[router]") {
  // Keys past a slot's inline room are compared from the table's arena.
  const std::string host = std::string(60, 'h') + ".example.com";
  const std::string path = "/" + std::string(100, 'p');
  Fixture f;
  f.route(host, path, PathMatch::prefix, "long");
  f.route("*." + host, path, PathMatch::exact, "long-wild");
  auto t = std::move(f.builder).build(1);

  CHECK(target(*t, host, path + "/x") == "long");
  CHECK(target(*t, host, path + "x") == "404");
  CHECK(target(*t, std::string(60, 'h') + ".example.co", path) == "404");
  CHECK(target(*t, "a." + host, path) == "long-wild");
  CHECK(target(*t, "A." + host + ":443", path + "?q") == "long-wild");
}
