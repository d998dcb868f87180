// SnapshotSlot: a pinned snapshot outlives its replacement, then is freed.
#include <catch2/catch.hpp>

#include "proxy/server/snapshot_slot.h"
#include "proxy/upstream/backend_runtime.h"

#include "tests/unit/backend_fixture.h"

using namespace sluice;

namespace {

std::shared_ptr<const RouteTable> table(std::uint64_t generation) {
  return test::one_backend_table_for_test(generation);
}

}  // namespace

TEST_CASE("an in-flight request keeps the snapshot it started with", "[worker]") {
  SnapshotSlot slot;
  CHECK_FALSE(slot.pin());
  auto first = table(1);
  std::weak_ptr<const RouteTable> watch = first;
  slot.replace(std::move(first));
  {
    SnapshotSlot::Ref in_flight = slot.pin();
    slot.replace(table(2));
    CHECK(slot.generation() == 2);
    CHECK(in_flight->generation() == 1);
    CHECK_FALSE(watch.expired());
  }
  CHECK(watch.expired());  // freed when its last request finished
}

TEST_CASE("each generation holds the worker's backend states, kept across snapshots", "[worker]") {
  // The round-robin cursor used to live here and restart with every
  // generation; it is now the BackendRuntime's, rebased by backend name.
  UpstreamHealthCounters counters;
  BackendRuntime runtime({}, counters);
  SnapshotSlot slot;
  auto first = table(1);
  slot.replace(first, runtime.rebase(*first));
  auto ref = slot.pin();
  REQUIRE(ref.backend_state(0));
  CHECK_FALSE(ref.backend_state(1));
  ref.backend_state(0)->cursor = 2;
  auto second = table(2);
  slot.replace(second, runtime.rebase(*second));
  CHECK(slot.pin().backend_state(0) == ref.backend_state(0));  // same endpoints: same state
  CHECK(slot.pin().backend_state(0)->cursor == 2);
  SnapshotSlot bare;
  bare.replace(table(3));
  CHECK_FALSE(bare.pin().backend_state(0));
}
