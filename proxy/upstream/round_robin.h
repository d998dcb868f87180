// Round robin over a backend's endpoints, with the worker's cursor.
#pragma once

#include "proxy/upstream/load_balancer.h"

namespace sluice {

// worker-confined. Stateless itself: the cursor is BackendState's.
class RoundRobin final : public LoadBalancer {
 public:
  std::optional<std::uint32_t> pick(const Backend& backend, BackendState& state,
                                    const PickContext& context) override;
};

}  // namespace sluice
