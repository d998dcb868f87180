// RouteTable::explain agrees with match() and says why for every rule.
#include <catch2/catch.hpp>

#include "tests/unit/backend_fixture.h"

#include "common/model/route_explain.h"

using namespace sluice;

namespace {

using Fixture = test::RouteTableFixtureForTest;

std::shared_ptr<const RouteTable> sample() {
  Fixture f;
  f.route("", "/", PathMatch::prefix, "root");
  f.route("", "/aaa", PathMatch::prefix, "aaa");
  f.route("", "/aaa/bbb", PathMatch::exact, "exact");
  f.route("dev", "/", PathMatch::prefix, "dev");
  f.route("dev", "/api", PathMatch::prefix, "dev-api");
  f.route("*.example.com", "/", PathMatch::prefix, "wild");
  f.route("a.example.com", "/x", PathMatch::exact, "a-x");
  f.default_backend("", "global-default");
  return std::move(f.builder).build(1);
}

const RuleVerdict* verdict_for(const RouteExplanation& e, std::string_view backend, const RouteTable& t) {
  for (const auto& v : e.others)
    if (t.backends()[v.route->backend].name == backend) return &v;
  return nullptr;
}

}  // namespace

TEST_CASE("explain picks exactly the route match() picks", "[router]") {
  auto t = sample();
  const std::pair<const char*, const char*> requests[] = {
      {"x", "/"},           {"x", "/aaa"},         {"x", "/aaa/bbb"},      {"x", "/aaa/bbb/"}, {"x", "/aaax"},
      {"dev", "/api/v1"},   {"DEV:80", "/"},       {"dev", "/apix"},       {"b.example.com", "/q"},
      {"a.example.com", "/x"}, {"a.example.com", "/y"}, {"a.b.example.com", "/"}, {"x", "nopath"},
      {"x", "/aaa?q=/aaa/bbb"}};
  for (auto [host, path] : requests) {
    INFO(host << " " << path);
    const auto m = t->match(host, path);
    const auto e = t->explain(host, path);
    CHECK(e.route == m.route);
    CHECK(e.backend == m.backend);
    CHECK(e.others.size() + (e.route ? 1 : 0) == t->routes().size());
  }
}

TEST_CASE("explain says why the other rules lose", "[router]") {
  auto t = sample();
  SECTION("a longer prefix shadows a shorter one") {
    auto e = t->explain("x", "/aaa/c");
    REQUIRE(e.route);
    CHECK(t->backends()[e.route->backend].name == "aaa");
    CHECK(e.selection == HostSelection::none);
    CHECK(verdict_for(e, "root", *t)->outcome == RuleOutcome::shadowed);
    CHECK(verdict_for(e, "exact", *t)->outcome == RuleOutcome::path_mismatch);
    CHECK(verdict_for(e, "dev", *t)->outcome == RuleOutcome::host_mismatch);
    CHECK(verdict_for(e, "global-default", *t)->outcome == RuleOutcome::default_unused);
  }
  SECTION("Exact wins over Prefix of the same path") {
    auto e = t->explain("x", "/aaa/bbb");
    CHECK(t->backends()[e.route->backend].name == "exact");
    const RuleVerdict* aaa = verdict_for(e, "aaa", *t);
    CHECK(aaa->outcome == RuleOutcome::shadowed);
    CHECK(aaa->reason.find("Exact") != std::string::npos);
  }
  SECTION("a host with rules of its own ignores the rules without a host") {
    auto e = t->explain("dev", "/aaa");
    CHECK(e.selection == HostSelection::exact);
    CHECK(t->backends()[e.route->backend].name == "dev");
    CHECK(verdict_for(e, "aaa", *t)->reason.find("has rules of its own") != std::string::npos);
    CHECK(verdict_for(e, "dev-api", *t)->outcome == RuleOutcome::path_mismatch);
  }
  SECTION("a wildcard covers one label, and an exact host takes precedence") {
    auto one = t->explain("b.example.com", "/");
    CHECK(one.selection == HostSelection::wildcard);
    CHECK(one.host_rule == "*.example.com");
    CHECK(t->backends()[one.route->backend].name == "wild");

    auto two = t->explain("a.b.example.com", "/");
    CHECK(two.selection == HostSelection::none);
    CHECK(verdict_for(two, "wild", *t)->reason.find("exactly one label") != std::string::npos);

    auto exact = t->explain("a.example.com", "/y");
    CHECK(exact.selection == HostSelection::exact);
    CHECK(t->backends()[exact.route->backend].name == "global-default");
    CHECK(verdict_for(exact, "wild", *t)->reason.find("takes precedence") != std::string::npos);
  }
  SECTION("nothing matches: the reason says so") {
    Fixture f;
    f.route("", "/only", PathMatch::exact, "only");
    auto small = std::move(f.builder).build(1);
    auto e = small->explain("x", "/other");
    CHECK_FALSE(e.route);
    CHECK(e.reason.find("no rule matches") != std::string::npos);
    CHECK(e.others.size() == 1);
  }
}
