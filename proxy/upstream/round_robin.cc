// RoundRobin: from the cursor, the first endpoint neither tried nor
// ejected; the cursor moves past whatever it picks.
#include "proxy/upstream/round_robin.h"

namespace sluice {

std::optional<std::uint32_t> RoundRobin::pick(const Backend& backend, BackendState& state,
                                              const PickContext& context) {
  const auto count = static_cast<std::uint32_t>(backend.endpoints.size());
  if (count == 0) return std::nullopt;
  // A state made for another endpoint list (never, while the runtime hands
  // out states by snapshot) has no health to consult: plain round robin.
  const bool has_health = state.health.size() == count;
  const std::uint32_t start = state.cursor < count ? state.cursor : 0;
  // An exchange's first pick of a healthy endpoint: one check, no scan.
  if (context.tried.empty() && !(has_health && state.health[start]->ejected(context.now))) {
    state.cursor = start + 1;
    return start;
  }
  std::optional<std::uint32_t> fallback;
  for (std::uint32_t k = 0; k < count; ++k) {
    std::uint32_t i = start + k;
    if (i >= count) i -= count;
    if (context.tried.contains(i)) continue;
    if (has_health && state.health[i]->ejected(context.now)) {
      if (!fallback) fallback = i;
      continue;
    }
    state.cursor = i + 1;
    return i;
  }
  if (fallback) {
    ++state.panic_picks;
    state.cursor = *fallback + 1;
  }
  return fallback;
}

}  // namespace sluice
