// BackendRuntime: rebasing states onto a new snapshot, and ejection.
#include "proxy/upstream/backend_runtime.h"

#include <string>

#include "common/log.h"

namespace sluice {
namespace {

bool same_addresses(const Backend& backend, const BackendState& state) {
  if (backend.endpoints.size() != state.addresses.size()) return false;
  for (std::size_t i = 0; i < state.addresses.size(); ++i)
    if (backend.endpoints[i].address != state.addresses[i]) return false;
  return true;
}

}  // namespace

// Endpoint lists are short (a Service's ready pods), so finding a surviving
// address by a scan costs less than a map would; this runs per snapshot.
std::shared_ptr<BackendState> BackendRuntime::rebased(const Backend& backend,
                                                      const std::shared_ptr<BackendState>* old) const {
  if (old && same_addresses(backend, **old)) return *old;
  auto state = std::make_shared<BackendState>();
  state->addresses.reserve(backend.endpoints.size());
  state->health.reserve(backend.endpoints.size());
  for (const Endpoint& e : backend.endpoints) {
    std::shared_ptr<EndpointHealth> health;
    if (old) {
      const auto& prev = **old;
      for (std::size_t i = 0; i < prev.addresses.size() && !health; ++i)
        if (prev.addresses[i] == e.address) health = prev.health[i];
    }
    state->addresses.push_back(e.address);
    state->health.push_back(health ? std::move(health) : std::make_shared<EndpointHealth>());
  }
  if (old) state->cursor = (*old)->cursor;  // RoundRobin wraps an index past the new end
  return state;
}

std::vector<std::shared_ptr<BackendState>> BackendRuntime::rebase(const RouteTable& table) {
  std::vector<std::shared_ptr<BackendState>> by_index;
  by_index.reserve(table.backends().size());
  StringMap<std::shared_ptr<BackendState>> next;
  next.reserve(table.backends().size());
  for (const Backend& backend : table.backends()) {
    auto it = states_.find(backend.name);
    auto state = rebased(backend, it == states_.end() ? nullptr : &it->second);
    next.emplace(backend.name, state);
    by_index.push_back(std::move(state));
  }
  states_ = std::move(next);
  return by_index;
}

bool BackendRuntime::report_failure(const Backend& backend, BackendState& state, std::uint32_t index,
                                    clock::time_point now) {
  if (index >= state.health.size() || index >= backend.endpoints.size()) return false;
  EndpointHealth& h = *state.health[index];
  ++h.consecutive_failures;
  if (settings_.max_fails == 0 || h.consecutive_failures < settings_.max_fails || h.ejected(now)) return false;
  // Ejected: after fail_timeout the endpoint is tried again and needs
  // max_fails fresh failures to go out again (Envoy's consecutive errors).
  const auto failures = h.consecutive_failures;
  h.consecutive_failures = 0;
  h.ejected_until = now + settings_.fail_timeout;
  ++h.ejections;
  bump(counters_.ejections);
  log::warn("upstream endpoint ejected",
            {{"backend", backend.name},
             {"endpoint", backend.endpoints[index].name},
             {"failures", std::to_string(failures)},
             {"for_ms", std::to_string(settings_.fail_timeout.count())}});
  return true;
}

}  // namespace sluice
