// Cluster mode's wiring; see cluster_controller.h.
#include "controller/cluster/cluster_controller.h"

#include "common/log.h"

namespace sluice::controller {
namespace {

kube::ReflectorOptions informer_options(const ClusterOptions& o, SecretKeeper& secrets) {
  kube::ReflectorOptions r;
  r.ns = o.watch_namespace;
  r.admit_secret = [&secrets](const k8s::ObjectRef& ref) { return secrets.admits(ref); };
  r.on_secret_rewatch = [&secrets] { secrets.refresh(); };
  return r;
}

// The election's namespace and identity, defaulted as ingress-nginx does:
// the pod's namespace (or the kubeconfig context's), else "default".
ClusterOptions resolve(ClusterOptions o, const kube::ClusterConfig& config) {
  if (o.election.ns.empty()) o.election.ns = config.ns.empty() ? "default" : config.ns;
  if (o.election.identity.empty()) o.election.identity = default_identity();
  return o;
}

}  // namespace

ClusterController::ClusterController(boost::asio::io_context& io, kube::ClusterConfig config,
                                     ObjectStore& store, ControllerLoop& loop, ClusterOptions options)
    : loop_(loop),
      options_(resolve(std::move(options), config)),
      client_(std::make_shared<kube::ApiClient>(io, std::move(config))),
      secrets_(io, client_, store, loop.options()),
      source_(io, client_, store, informer_options(options_, secrets_), loop.options().configmap),
      events_(io, client_, store, options_.election.identity) {
  if (options_.update_status &&
      (!options_.publish_service.empty() || !options_.publish_status_addresses.empty())) {
    status_ = std::make_unique<StatusWriter>(io, client_, store, options_);
    election_ = std::make_unique<LeaderElection>(io, client_, options_.election,
                                                 [this](bool leading) { status_->set_leader(leading); });
  }
  loop_.set_on_translated([this](const TranslationResult& result) {
    secrets_.reconcile();  // the routes may reference other Secrets now
    events_.on_translated(result);
    if (status_) status_->on_translated(result);
  });
}

ClusterController::~ClusterController() {
  stop();
  loop_.set_on_translated({});
}

void ClusterController::start() {
  const auto& c = client_->config();
  log::info("watching the Kubernetes API",
            {{"server", c.server}, {"config", c.source},
             {"namespace", options_.watch_namespace.empty() ? std::string("(all)") : options_.watch_namespace}});
  loop_.hold();
  source_.start([this] { on_synced(); });
  if (status_) status_->start();
  if (election_) election_->start();
}

void ClusterController::stop() {
  source_.stop();
  secrets_.stop();
  events_.stop();
  if (election_) election_->stop();
  if (status_) status_->stop();
  client_->stop();
}

void ClusterController::release_leadership(std::chrono::milliseconds timeout, std::function<void()> done) {
  if (election_)
    election_->release(timeout, std::move(done));
  else if (done)
    done();
}

// Nothing is published before every informer has its first LIST in the
// store, and the referenced Secrets no watch brings are fetched: a partial
// store would route a half-known cluster.
void ClusterController::on_synced() {
  secrets_.reconcile([this] { loop_.translate_now(); });
}

}  // namespace sluice::controller
