// SnapshotSlot: a pinned snapshot outlives its replacement, then is freed.
#include <catch2/catch.hpp>

#include "proxy/server/snapshot_slot.h"

using namespace sluice;

namespace {

std::shared_ptr<const RouteTable> table(std::uint64_t generation) {
  RouteTableBuilder b;
  Backend backend;
  backend.name = "ns/svc:80";
  b.add_backend(backend);
  return std::move(b).build(generation);
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

TEST_CASE("round-robin cursors advance per worker and per generation", "[worker]") {
  SnapshotSlot slot;
  slot.replace(table(1));
  auto ref = slot.pin();
  CHECK(ref.next_index(0, 3) == 0);
  CHECK(ref.next_index(0, 3) == 1);
  CHECK(ref.next_index(0, 3) == 2);
  CHECK(ref.next_index(0, 3) == 0);
  slot.replace(table(2));
  CHECK(slot.pin().next_index(0, 3) == 0);
}
