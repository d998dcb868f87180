// A worker's handle on the current RouteTable, pinned per request without
// touching memory that other workers share.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "common/model/route_table.h"

namespace sluice {

// worker-confined. The slot holds one shared_ptr per generation; requests pin
// it through a plain (non-atomic) count, so starting a request never bumps
// the shared_ptr's refcount that every worker shares. Per-generation worker
// state (round-robin cursors) lives beside the table.
class SnapshotSlot {
 public:
  struct Local {
    std::shared_ptr<const RouteTable> table;
    std::vector<std::uint32_t> round_robin;  // by backend index
    std::uint32_t pins = 0;
  };

  class Ref {
   public:
    Ref() = default;
    explicit Ref(Local* local) : local_(local) { if (local_) ++local_->pins; }
    Ref(const Ref& o) : Ref(o.local_) {}
    Ref(Ref&& o) noexcept : local_(std::exchange(o.local_, nullptr)) {}
    Ref& operator=(Ref o) noexcept { std::swap(local_, o.local_); return *this; }
    ~Ref() { unpin(local_); }

    explicit operator bool() const { return local_ != nullptr; }
    const RouteTable& table() const { return *local_->table; }
    const RouteTable* operator->() const { return local_->table.get(); }
    // Next endpoint index for a backend with `count` endpoints.
    std::uint32_t next_index(std::uint32_t backend, std::uint32_t count) const {
      return count == 0 ? 0 : local_->round_robin[backend]++ % count;
    }

   private:
    Local* local_ = nullptr;
  };

  SnapshotSlot() = default;
  SnapshotSlot(const SnapshotSlot&) = delete;
  SnapshotSlot& operator=(const SnapshotSlot&) = delete;
  ~SnapshotSlot() { unpin(current_); }

  Ref pin() const { return Ref(current_); }
  std::uint64_t generation() const { return current_ ? current_->table->generation() : 0; }

  void replace(std::shared_ptr<const RouteTable> table) {
    auto* next = new Local{std::move(table), {}, 1};  // the slot's own pin
    next->round_robin.assign(next->table->backends().size(), 0);
    unpin(std::exchange(current_, next));
  }

 private:
  static void unpin(Local* local) {
    if (local && --local->pins == 0) delete local;  // in-flight requests are done with it
  }
  Local* current_ = nullptr;
};

}  // namespace sluice
