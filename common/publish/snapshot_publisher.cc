// Snapshot publication: post to every sink, count acknowledgements.
#include "common/publish/snapshot_publisher.h"

namespace sluice {

void SnapshotPublisher::publish(std::shared_ptr<const RouteTable> table,
                                std::function<void()> on_applied) {
  const std::uint64_t generation = table->generation();
  {
    std::lock_guard lock(current_mutex_);
    current_ = table;
  }
  published_.store(generation, std::memory_order_release);

  struct Countdown {
    std::atomic<std::size_t> remaining;
    std::function<void()> done;
  };
  auto countdown = std::make_shared<Countdown>();
  countdown->remaining.store(sinks_.size());
  countdown->done = [this, generation, cb = std::move(on_applied)] {
    std::uint64_t seen = applied_.load(std::memory_order_acquire);
    while (seen < generation &&
           !applied_.compare_exchange_weak(seen, generation, std::memory_order_acq_rel)) {
    }
    if (cb) cb();
  };
  if (sinks_.empty()) {
    countdown->done();
    return;
  }
  for (SnapshotSink* sink : sinks_) {
    sink->accept(table, [countdown] {
      if (countdown->remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) countdown->done();
    });
  }
}

std::shared_ptr<const RouteTable> SnapshotPublisher::current() const {
  std::lock_guard lock(current_mutex_);
  return current_;
}

}  // namespace sluice
