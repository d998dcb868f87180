// Cluster mode put together: the API client, the informers, the controller
// loop's release once they have synced, events, and (for the leader) status.
#pragma once

#include <chrono>
#include <functional>
#include <memory>

#include <boost/asio/io_context.hpp>

#include "controller/cluster/cluster_options.h"
#include "controller/cluster/leader_election.h"
#include "controller/controller_loop.h"
#include "controller/object_store.h"
#include "controller/source/k8s/cluster_config.h"
#include "controller/source/k8s/cluster_source.h"
#include "controller/source/k8s/secret_keeper.h"
#include "controller/status/event_recorder.h"
#include "controller/status/status_writer.h"

namespace sluice::controller {

// controller-confined. Holds `loop` (hold()) until every informer has
// synced, and takes its on_translated hook. Leader election runs only when
// there is a status to write (--publish-service or --publish-status-address).
// Must be destroyed before the io_context, the store and the loop.
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
  // On shutdown: the leader gives its Lease up (see LeaderElection::release)
  // so another replica takes over at once. `done` runs within `timeout`.
  void release_leadership(std::chrono::milliseconds timeout, std::function<void()> done);
  bool synced() const { return source_.synced(); }
  const kube::ClusterSource& source() const { return source_; }
  const SecretKeeper& secrets() const { return secrets_; }

 private:
  void on_synced();

  ControllerLoop& loop_;
  ClusterOptions options_;
  std::shared_ptr<kube::ApiClient> client_;
  SecretKeeper secrets_;  // before source_: the Secrets informer asks it
  kube::ClusterSource source_;
  EventRecorder events_;
  std::unique_ptr<StatusWriter> status_;
  std::unique_ptr<LeaderElection> election_;
};

}  // namespace sluice::controller
