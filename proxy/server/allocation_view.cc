// /debug/allocations: reads each worker's published counts from the admin
// thread (relaxed loads; a count read mid-increment is one off, never torn).
#include "proxy/server/allocation_view.h"

#include "common/memory/allocation_counts.h"

namespace sluice {

namespace {

void count_field(std::string& out, const char* name, const std::atomic<std::uint64_t>& c) {
  out += ",\"";
  out += name;
  out += "\":";
  out += std::to_string(c.load(std::memory_order_relaxed));
}

}  // namespace

std::string debug_allocations_json(const WorkerPool& pool) {
  std::string out = "{\"counting\":";
  out += alloc::counting_compiled_in ? "true" : "false";
  out += ",\"openssl\":";
  out += alloc::openssl_counted() ? "true" : "false";
  out += ",\"workers\":[";
  const auto& workers = pool.workers();
  for (std::size_t i = 0; i < workers.size(); ++i) {
    const alloc::AllocationCounts& c = workers[i]->allocation_counts();
    if (i) out += ',';
    out += "{\"worker\":" + std::to_string(i);
    count_field(out, "allocations", c.allocations);
    count_field(out, "deallocations", c.deallocations);
    count_field(out, "frameMisses", c.frame_misses);
    out += '}';
  }
  out += "]}\n";
  return out;
}

void register_allocation_view(AdminServer& admin, const WorkerPool& pool) {
  admin.handle("/debug/allocations", [&pool](std::string_view) {
    return AdminResponse{200, "application/json", debug_allocations_json(pool)};
  });
}

}  // namespace sluice
