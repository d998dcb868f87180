// RoundRobin and BackendRuntime over fake endpoints: order, retries to
// another endpoint, ejection and its end, panic mode, and rebasing.
#include <catch2/catch.hpp>

#include "proxy/upstream/backend_runtime.h"
#include "tests/unit/proxy/upstream/upstream_fakes.h"

using namespace sluice;
using namespace std::chrono_literals;
using test::fake_backend;
using test::fake_table;

namespace {

using clock_type = std::chrono::steady_clock;
const clock_type::time_point t0 = clock_type::time_point{} + 1000s;

struct Fixture {
  UpstreamHealthCounters counters;
  BackendRuntime runtime{{.max_fails = 3, .fail_timeout = 10s}, counters};
  std::shared_ptr<const RouteTable> table;
  std::vector<std::shared_ptr<BackendState>> states;

  void apply(std::shared_ptr<const RouteTable> t) {
    table = std::move(t);
    states = runtime.rebase(*table);
  }
  const Backend& backend(std::size_t i = 0) const { return table->backends()[i]; }
  BackendState& state(std::size_t i = 0) { return *states[i]; }
  std::uint32_t pick(clock_type::time_point now = t0) {
    PickContext c{now, {}};
    auto p = runtime.pick(backend(), state(), c);
    REQUIRE(p);
    return *p;
  }
  void fail(std::uint32_t index, int times, clock_type::time_point now = t0) {
    for (int i = 0; i < times; ++i) runtime.report_failure(backend(), state(), index, now);
  }
};

}  // namespace

TEST_CASE("round robin takes the endpoints in turn", "[upstream]") {
  Fixture f;
  f.apply(fake_table(1, {fake_backend("ns/a:80", {8001, 8002, 8003})}));
  std::vector<std::uint32_t> order;
  for (int i = 0; i < 7; ++i) order.push_back(f.pick());
  CHECK(order == std::vector<std::uint32_t>{0, 1, 2, 0, 1, 2, 0});
}

TEST_CASE("a retry goes to an endpoint this exchange has not tried", "[upstream]") {
  Fixture f;
  f.apply(fake_table(1, {fake_backend("ns/a:80", {8001, 8002, 8003})}));
  PickContext c{t0, {}};
  auto first = f.runtime.pick(f.backend(), f.state(), c);
  REQUIRE(first);
  c.tried.insert(*first);
  auto second = f.runtime.pick(f.backend(), f.state(), c);
  REQUIRE(second);
  CHECK(*second != *first);
  c.tried.insert(*second);
  auto third = f.runtime.pick(f.backend(), f.state(), c);
  REQUIRE(third);
  CHECK(*third != *first);
  CHECK(*third != *second);
  c.tried.insert(*third);
  CHECK_FALSE(f.runtime.pick(f.backend(), f.state(), c));  // all tried: the retry stops
}

TEST_CASE("max_fails consecutive failures eject an endpoint until fail_timeout ends", "[upstream]") {
  Fixture f;
  f.apply(fake_table(1, {fake_backend("ns/a:80", {8001, 8002})}));
  f.fail(0, 2);
  CHECK(f.counters.ejections == 0);
  CHECK_FALSE(f.state().health[0]->ejected(t0));
  CHECK(f.runtime.report_failure(f.backend(), f.state(), 0, t0));  // the third ejects
  CHECK(f.counters.ejections == 1);
  CHECK(f.state().health[0]->ejections == 1);
  for (int i = 0; i < 6; ++i) CHECK(f.pick(t0 + 9s) == 1);  // skipped while ejected
  CHECK(f.counters.panic_picks == 0);
  // The backoff ends: the endpoint is back in turn.
  std::vector<std::uint32_t> after;
  for (int i = 0; i < 4; ++i) after.push_back(f.pick(t0 + 10s));
  CHECK(std::count(after.begin(), after.end(), 0u) == 2);
}

TEST_CASE("a success resets the count of consecutive failures", "[upstream]") {
  Fixture f;
  f.apply(fake_table(1, {fake_backend("ns/a:80", {8001, 8002})}));
  f.fail(0, 2);
  f.runtime.report_success(f.state(), 0);
  f.fail(0, 2);
  CHECK_FALSE(f.state().health[0]->ejected(t0));
  CHECK(f.counters.ejections == 0);
  f.fail(0, 1);
  CHECK(f.state().health[0]->ejected(t0));
}

TEST_CASE("max_fails 0 never ejects", "[upstream]") {
  UpstreamHealthCounters counters;
  BackendRuntime runtime{{.max_fails = 0, .fail_timeout = 10s}, counters};
  auto table = fake_table(1, {fake_backend("ns/a:80", {8001, 8002})});
  auto states = runtime.rebase(*table);
  for (int i = 0; i < 10; ++i) CHECK_FALSE(runtime.report_failure(table->backends()[0], *states[0], 0, t0));
  CHECK_FALSE(states[0]->health[0]->ejected(t0));
}

TEST_CASE("with every endpoint ejected the pick goes ahead and is counted (panic mode)", "[upstream]") {
  Fixture f;
  f.apply(fake_table(1, {fake_backend("ns/a:80", {8001, 8002})}));
  f.fail(0, 3);
  f.fail(1, 3);
  const auto a = f.pick(t0 + 1s);
  const auto b = f.pick(t0 + 1s);
  CHECK(a != b);
  CHECK(f.state().panic_picks == 2);
  CHECK(f.counters.panic_picks == 2);
}

TEST_CASE("a snapshot with the same endpoints keeps the cursor and the marks", "[upstream]") {
  Fixture f;
  f.apply(fake_table(1, {fake_backend("ns/a:80", {8001, 8002, 8003})}));
  CHECK(f.pick() == 0);
  f.fail(1, 3);
  auto before = f.states[0];
  f.apply(fake_table(2, {fake_backend("ns/other:80", {9000}), fake_backend("ns/a:80", {8001, 8002, 8003})}));
  BackendState& s = f.state(1);
  CHECK(&s == before.get());
  CHECK(s.health[1]->ejected(t0));
  PickContext c{t0, {}};
  CHECK(f.runtime.pick(f.backend(1), s, c) == 2u);  // 1 is ejected; the cursor was past 0
}

TEST_CASE("a changed backend keeps the marks of the addresses still in it", "[upstream]") {
  Fixture f;
  f.apply(fake_table(1, {fake_backend("ns/a:80", {8001, 8002, 8003}), fake_backend("ns/gone:80", {7000})}));
  f.fail(1, 3);  // 8002 ejected
  f.fail(2, 2);  // 8003 two failures short of it
  auto old_table = f.table;
  auto old_state = f.states[0];
  f.apply(fake_table(2, {fake_backend("ns/a:80", {8003, 8004, 8002})}));
  BackendState& s = f.state();
  CHECK(&s != old_state.get());
  REQUIRE(s.health.size() == 3);
  CHECK(s.health[0]->consecutive_failures == 2);  // 8003
  CHECK(s.health[1]->consecutive_failures == 0);  // 8004, new
  CHECK_FALSE(s.health[1]->ejected(t0));
  CHECK(s.health[2]->ejected(t0));                // 8002
  CHECK(f.runtime.size() == 1);                   // ns/gone:80 forgotten
  // An exchange still on the old snapshot reports by its own indices, and
  // the new snapshot sees it: 8003 is index 2 there, index 0 here.
  f.runtime.report_failure(old_table->backends()[0], *old_state, 2, t0);
  CHECK(s.health[0]->ejected(t0));
}
