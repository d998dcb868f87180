// Cluster mode put together: the API client, the informers, the controller
// loop's release once they have synced, and (for the leader) status and events.
#pragma once

#include <memory>

#include <boost/asio/io_context.hpp>

#include "controller/cluster_options.h"
#include "controller/controller_loop.h"
#include "controller/object_store.h"
#include "controller/source/k8s/cluster_config.h"
#include "controller/source/k8s/cluster_source.h"

namespace sluice::controller {

// controller-confined. Holds `loop` (hold()) until every informer has
// synced. Must be destroyed before the io_context, the store and the loop.
class ClusterController {
 public:
  // Throws std::runtime_error (one line) when the TLS material is unusable.
  ClusterController(boost::asio::io_context& io, kube::ClusterConfig config, ObjectStore& store,
                    ControllerLoop& loop, ClusterOptions options);
  ClusterController(const ClusterController&) = delete;
  ClusterController& operator=(const ClusterController&) = delete;
  ~ClusterController();

  void start();
  void stop();
  bool synced() const { return source_.synced(); }

 private:
  void on_synced();

  ControllerLoop& loop_;
  ClusterOptions options_;
  std::shared_ptr<kube::ApiClient> client_;
  kube::ClusterSource source_;
};

}  // namespace sluice::controller
