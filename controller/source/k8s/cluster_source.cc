// The informers of cluster mode; see cluster_source.h.
#include "controller/source/k8s/cluster_source.h"

#include "common/log.h"

namespace sluice::controller::kube {

ClusterSource::ClusterSource(boost::asio::io_context& io, std::shared_ptr<ApiClient> client,
                             ObjectStore& store, ReflectorOptions options, const std::string& configmap) {
  for (const Resource& r : informer_resources())
    reflectors_.push_back(std::make_unique<Reflector>(io, client, store, r, options));
  if (const auto slash = configmap.find('/'); slash != std::string::npos) {
    options.ns = configmap.substr(0, slash);
    reflectors_.push_back(std::make_unique<Reflector>(io, client, store, configmap_resource(), options));
  }
}

ClusterSource::~ClusterSource() { stop(); }

void ClusterSource::start(std::function<void()> on_synced) {
  on_synced_ = std::move(on_synced);
  for (auto& r : reflectors_) {
    r->start([this] {
      if (++synced_count_ != reflectors_.size()) return;
      log::info("all informers synced", {{"informers", std::to_string(reflectors_.size())}});
      if (on_synced_) on_synced_();
    });
  }
}

void ClusterSource::stop() {
  for (auto& r : reflectors_) r->stop();
}

bool ClusterSource::synced() const { return synced_count_ == reflectors_.size(); }

std::string ClusterSource::stopped_informers() const {
  std::string out;
  for (const auto& r : reflectors_)
    if (r->stopped_for_good())
      out += (out.empty() ? "" : "; ") + r->resource().plural + ": " + r->stop_reason();
  return out;
}

}  // namespace sluice::controller::kube
