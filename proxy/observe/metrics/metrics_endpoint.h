// /metrics: sums every worker's shard and adds process, controller,
// snapshot and access-log numbers. Runs on the admin thread; the workers
// only ever see their relaxed counters read.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/model/route_table.h"
#include "common/model/translation_report.h"
#include "proxy/observe/metrics/exposition.h"

namespace sluice {

class AccessLog;
class Worker;

namespace metrics {

// ingress-nginx's constant labels, on its metric families only.
struct ControllerLabels {
  std::string controller_class;      // --controller-class
  std::string controller_namespace;  // $POD_NAMESPACE
  std::string controller_pod;        // $POD_NAME, else the host name
};

// Read on the admin thread at each scrape; everything optional but workers.
struct MetricsSources {
  std::vector<const Worker*> workers;
  const AccessLog* access_log = nullptr;
  // The controller's last translation (null: no controller metrics).
  std::function<TranslationReport()> translation;
  // The current snapshot, for certificate expiry (null or empty: none).
  std::function<std::shared_ptr<const RouteTable>()> snapshot;
  // Generation every worker serves (for sluice_snapshot_applied_generation).
  std::function<std::uint64_t()> applied_generation;
  ControllerLabels labels;
  // More families (e.g. informer state), each written whole by its function.
  std::vector<std::function<void(ExpositionWriter&)>> extra;
};

// The whole exposition text.
std::string render_metrics(const MetricsSources& sources);

}  // namespace metrics
}  // namespace sluice
