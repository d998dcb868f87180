// The admin listener's /debug views, as JSON: what the current snapshot
// routes (/debug/ingresses), where it sends traffic (/debug/backends), how
// and why it was built (/debug/snapshot), and what one request would do
// (/debug/explain?host=H&path=P). `sluice ctl` renders them as tables.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/model/route_table.h"
#include "common/model/translation_report.h"
#include "proxy/server/admin_server.h"

namespace sluice {

// Called on the admin thread for each request.
struct DebugSources {
  std::function<std::shared_ptr<const RouteTable>()> snapshot;  // null result: none yet
  std::function<TranslationReport()> translation;               // may be empty
  std::function<std::uint64_t()> applied_generation;            // may be empty
};

// Each returns a complete JSON document. `table` may be null (no snapshot).
std::string debug_ingresses_json(const RouteTable* table);
std::string debug_backends_json(const RouteTable* table);
std::string debug_snapshot_json(const RouteTable* table, const TranslationReport* report,
                                std::uint64_t applied_generation);
// The annotation findings of the served Ingresses (sluice ctl lint's document).
std::string debug_annotations_json(const TranslationReport* report);
std::string debug_explain_json(const RouteTable& table, std::string_view host, std::string_view path);

// Registers /debug/ingresses, /debug/backends, /debug/snapshot, /debug/annotations, /debug/explain.
void register_debug_views(AdminServer& admin, DebugSources sources);

// The value of `name` in an application/x-www-form-urlencoded query
// ("host=a&path=%2Fb"), decoded into `out`; false when absent.
bool query_value(std::string_view query, std::string_view name, std::string& out);

}  // namespace sluice
