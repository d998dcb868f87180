// Cluster mode's source: one Reflector per resource the translator reads,
// all sharing one ApiClient, and the moment all of them have synced.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "controller/object_store.h"
#include "controller/source/k8s/api_client.h"
#include "controller/source/k8s/reflector.h"

namespace sluice::controller::kube {

// controller-confined. Must be stopped or destroyed before the store.
class ClusterSource {
 public:
  // `configmap` is --configmap ("ns/name", or ""): its namespace's
  // ConfigMaps are watched too.
  ClusterSource(boost::asio::io_context& io, std::shared_ptr<ApiClient> client, ObjectStore& store,
                ReflectorOptions options, const std::string& configmap = {});
  ClusterSource(const ClusterSource&) = delete;
  ClusterSource& operator=(const ClusterSource&) = delete;
  ~ClusterSource();

  // `on_synced` runs once, when every informer's first LIST is in the store.
  void start(std::function<void()> on_synced);
  void stop();
  bool synced() const;
  // "" while every informer runs; else one line naming those that stopped
  // for good (their kinds no longer follow the cluster: /readyz fails).
  std::string stopped_informers() const;
  const std::vector<std::unique_ptr<Reflector>>& reflectors() const { return reflectors_; }

 private:
  std::vector<std::unique_ptr<Reflector>> reflectors_;
  std::size_t synced_count_ = 0;
  std::function<void()> on_synced_;
};

}  // namespace sluice::controller::kube
