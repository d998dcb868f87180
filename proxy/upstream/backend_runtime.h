// A worker's memory of its backends across snapshots: load-balancer state
// and passive health, keyed by backend name and endpoint address, rebased
// (not rebuilt) when the worker applies a new snapshot.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "common/model/route_table.h"
#include "proxy/upstream/backend_state.h"
#include "proxy/upstream/round_robin.h"

namespace sluice {

// worker-confined. Each snapshot generation holds the BackendStates it was
// rebased to (SnapshotSlot::Local), so an exchange pinned on an older one
// picks and reports through states whose endpoint indices match its
// Backend; EndpointHealth is shared by address, so its reports still count.
class BackendRuntime {
 public:
  using clock = std::chrono::steady_clock;
  struct Settings {
    // nginx's max_fails and fail_timeout (HAProxy's fall and inter): that
    // many consecutive failures eject an endpoint for that long; 0: never.
    std::uint32_t max_fails = 3;
    std::chrono::milliseconds fail_timeout{10'000};
  };

  BackendRuntime(Settings settings, UpstreamHealthCounters& counters)
      : settings_(settings), counters_(counters) {}

  // The states for `table`'s backends, by backend index. A backend whose
  // endpoint list is unchanged keeps its state (cursor and marks); a changed
  // one gets a new state that keeps the marks of addresses still present.
  // Backends no longer in the table are forgotten here (generations that
  // still hold them keep them alive until unpinned).
  std::vector<std::shared_ptr<BackendState>> rebase(const RouteTable& table);

  std::optional<std::uint32_t> pick(const Backend& backend, BackendState& state, const PickContext& context) {
    const auto panics = state.panic_picks;
    auto picked = balancer_.pick(backend, state, context);
    if (state.panic_picks != panics) bump(counters_.panic_picks);
    return picked;
  }
  void report_success(BackendState& state, std::uint32_t index) {
    if (index < state.health.size() && state.health[index]->consecutive_failures != 0)
      state.health[index]->consecutive_failures = 0;
  }
  // A connect failure or reset; true when it ejected the endpoint.
  bool report_failure(const Backend& backend, BackendState& state, std::uint32_t index, clock::time_point now);

  const Settings& settings() const { return settings_; }
  std::size_t size() const { return states_.size(); }

 private:
  static void bump(std::atomic<std::uint64_t>& c) {
    c.store(c.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  std::shared_ptr<BackendState> rebased(const Backend& backend, const std::shared_ptr<BackendState>* old) const;

  Settings settings_;
  UpstreamHealthCounters& counters_;
  RoundRobin balancer_;
  StringMap<std::shared_ptr<BackendState>> states_;  // by backend name, for the current snapshot
};

}  // namespace sluice
