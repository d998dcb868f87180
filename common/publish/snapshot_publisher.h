// Hands each new RouteTable to every sink and learns when all have it.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/model/route_table.h"
#include "common/publish/snapshot_sink.h"

namespace sluice {

// publish() is controller-confined; the getters are safe from any thread
// (the admin listener reads them). Nothing here is on the request path.
class SnapshotPublisher {
 public:
  void add_sink(SnapshotSink* sink) { sinks_.push_back(sink); }

  // Sends `table` to every sink. `on_applied` runs (on a sink's thread) once
  // every sink has switched to it.
  void publish(std::shared_ptr<const RouteTable> table, std::function<void()> on_applied = {});

  // Generation of the newest table every sink is using (0: none yet).
  std::uint64_t applied_generation() const { return applied_.load(std::memory_order_acquire); }
  std::uint64_t published_generation() const { return published_.load(std::memory_order_acquire); }
  std::shared_ptr<const RouteTable> current() const;

 private:
  std::vector<SnapshotSink*> sinks_;
  std::atomic<std::uint64_t> applied_{0};
  std::atomic<std::uint64_t> published_{0};
  mutable std::mutex current_mutex_;  // admin reads only; workers never take it
  std::shared_ptr<const RouteTable> current_;
};

}  // namespace sluice
