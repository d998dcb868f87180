// /debug/allocations: each worker's heap allocations and coroutine-frame
// cache misses so far (common/memory/allocation_counts.h), for the test that
// holds the request path to zero of both and for finding what broke it.
#pragma once

#include <string>

#include "proxy/server/admin_server.h"
#include "proxy/server/worker_pool.h"

namespace sluice {

// A JSON document: {"counting": bool, "openssl": bool, "workers": [{"worker",
// "allocations", "deallocations", "frameMisses"}...]}; "counting" false means
// the build does not count (sanitizers, SLUICE_COUNT_ALLOCATIONS=OFF) and
// every count is zero.
std::string debug_allocations_json(const WorkerPool& pool);

// Registers /debug/allocations; `pool` must outlive `admin`'s handlers.
void register_allocation_view(AdminServer& admin, const WorkerPool& pool);

}  // namespace sluice
