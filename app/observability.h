// Wires what an operator sees: the access log into the workers, and
// /metrics and /debug/* onto the admin listener, fed by the workers, the
// publisher and the controller loop (app/ is where those may meet).
#pragma once

#include <memory>

#include "app/options.h"
#include "common/model/translation_report.h"
#include "common/publish/snapshot_publisher.h"
#include "controller/controller_loop.h"
#include "controller/object_store.h"
#include "controller/source/k8s/cluster_source.h"
#include "controller/source/k8s/secret_keeper.h"
#include "proxy/observe/access_log/access_log.h"
#include "proxy/observe/metrics/metrics_endpoint.h"
#include "proxy/server/admin_server.h"
#include "proxy/server/worker_pool.h"

namespace sluice::app {

// The access log --access-log asks for (null for "off"), already handed to
// every worker; the caller starts it before the workers and stops it after.
// Throws std::runtime_error when the file cannot be opened.
std::unique_ptr<AccessLog> open_access_log(const Options& o, WorkerPool& pool);

// The controller loop's state in the vocabulary the admin views read.
TranslationReport translation_report(const controller::ControllerLoop& loop);

// Registers /metrics and /debug/*. Everything passed must outlive `admin`'s
// io_context run; handlers run on that (the controller's) thread. More
// families (informer state, say) can be added to the returned sources'
// `extra` from that thread.
std::shared_ptr<metrics::MetricsSources> register_observability(
    AdminServer& admin, const Options& o, const WorkerPool& pool, const SnapshotPublisher& publisher,
    const controller::ControllerLoop& loop, const AccessLog* access_log);

// Adds the sluice_informer_* families, read from `source`'s reflectors at
// each scrape. The reflectors run on the controller thread that also serves
// /metrics, so their plain counters are read without synchronisation;
// `source` must outlive the admin server's io_context run.
void add_informer_metrics(metrics::MetricsSources& sources, const controller::kube::ClusterSource& source);

// sluice_store_objects{kind}: what the store holds (with the Secrets keeper's
// families in cluster mode), so an operator, and the tests, can see that no
// unreferenced Secret is kept. Same threading and lifetime rules as above.
void add_store_metrics(metrics::MetricsSources& sources, const controller::ObjectStore& store);
void add_secret_metrics(metrics::MetricsSources& sources, const controller::SecretKeeper& secrets);

}  // namespace sluice::app
