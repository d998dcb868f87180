// The seam between an exchange and the endpoint it talks to: a policy picks
// an index into a Backend's endpoints from the worker's state for it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>

#include "common/model/backend.h"
#include "proxy/upstream/backend_state.h"

namespace sluice {

// worker-confined (a value on the exchange's stack). The endpoints one
// exchange already tried, so a retry goes elsewhere; fixed size, since
// tries are few. Past capacity it forgets, which costs a repeat, not a loop
// (RetryPolicy bounds the tries).
class TriedEndpoints {
 public:
  static constexpr std::size_t capacity = 8;
  // User-provided, so `PickContext{}` does not zero the array.
  TriedEndpoints() {}  // NOLINT(modernize-use-equals-default)
  void insert(std::uint32_t index) {
    if (size_ < capacity && !contains(index)) indices_[size_++] = index;
  }
  bool contains(std::uint32_t index) const {
    for (std::size_t i = 0; i < size_; ++i)
      if (indices_[i] == index) return true;
    return false;
  }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  void clear() { size_ = 0; }

 private:
  std::array<std::uint32_t, capacity> indices_;  // [0, size_) hold values: no zeroing per exchange
  std::size_t size_ = 0;
};

// worker-confined (a value on the exchange's stack).
struct PickContext {
  std::chrono::steady_clock::time_point now;
  TriedEndpoints tried;
};

// worker-confined. Implementations keep their state in BackendState, never
// in themselves, so one instance serves every backend of the worker.
class LoadBalancer {
 public:
  virtual ~LoadBalancer() = default;
  // An index into backend.endpoints, skipping the tried and the ejected;
  // when only ejected ones are left it picks one of them anyway (Envoy's
  // panic mode: better a likely failure than a certain 503) and counts it
  // in state.panic_picks. Empty when every endpoint was tried.
  virtual std::optional<std::uint32_t> pick(const Backend& backend, BackendState& state,
                                            const PickContext& context) = 0;
};

}  // namespace sluice
