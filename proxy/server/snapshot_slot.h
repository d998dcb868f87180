// A worker's handle on the current RouteTable, pinned per request without
// touching memory that other workers share.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "common/model/route_table.h"
#include "proxy/upstream/backend_state.h"

namespace sluice {

// worker-confined. The slot holds one shared_ptr per generation; requests pin
// it through a plain (non-atomic) count, so starting a request never bumps
// the shared_ptr's refcount that every worker shares. Beside the table, the
// worker's BackendState for each of its backends (BackendRuntime::rebase):
// a generation keeps the states its endpoint indices mean until unpinned.
class SnapshotSlot {
 public:
  struct Local {
    std::shared_ptr<const RouteTable> table;
    std::vector<std::shared_ptr<BackendState>> backends;  // by backend index; may be empty
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
    // The worker's state for backend `index` of this table; null when the
    // slot was given none.
    BackendState* backend_state(std::uint32_t index) const {
      return index < local_->backends.size() ? local_->backends[index].get() : nullptr;
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

  // `backends`: the worker's states for the table's backends, by index.
  void replace(std::shared_ptr<const RouteTable> table, std::vector<std::shared_ptr<BackendState>> backends = {}) {
    auto* next = new Local{std::move(table), std::move(backends), 1};  // the slot's own pin
    unpin(std::exchange(current_, next));
  }

 private:
  static void unpin(Local* local) {
    if (local && --local->pins == 0) delete local;  // in-flight requests are done with it
  }
  Local* current_ = nullptr;
};

}  // namespace sluice
