// Cluster mode's wiring; see cluster_controller.h.
#include "controller/cluster_controller.h"

#include "common/log.h"

namespace sluice::controller {
namespace {

kube::ReflectorOptions informer_options(const ClusterOptions& o) {
  kube::ReflectorOptions r;
  r.ns = o.watch_namespace;
  return r;
}

}  // namespace

ClusterController::ClusterController(boost::asio::io_context& io, kube::ClusterConfig config,
                                     ObjectStore& store, ControllerLoop& loop, ClusterOptions options)
    : loop_(loop),
      options_(std::move(options)),
      client_(std::make_shared<kube::ApiClient>(io, std::move(config))),
      source_(io, client_, store, informer_options(options_)) {}

ClusterController::~ClusterController() { stop(); }

void ClusterController::start() {
  const auto& c = client_->config();
  log::info("watching the Kubernetes API",
            {{"server", c.server}, {"config", c.source},
             {"namespace", options_.watch_namespace.empty() ? std::string("(all)") : options_.watch_namespace}});
  loop_.hold();
  source_.start([this] { on_synced(); });
}

void ClusterController::stop() {
  source_.stop();
  client_->stop();
}

// Nothing is published before every informer has its first LIST in the
// store: a partial store would route a half-known cluster.
void ClusterController::on_synced() { loop_.translate_now(); }

}  // namespace sluice::controller
