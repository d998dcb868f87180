// Leader election over a coordination.k8s.io/v1 Lease, with client-go's
// semantics (lease duration, renew deadline, retry period): every replica
// serves traffic; only the leader writes Ingress status.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/io_context.hpp>

#include "controller/cluster/cluster_options.h"
#include "controller/source/k8s/api_client.h"

namespace sluice::controller {

// controller-confined. `options.ns` and `options.identity` must be set.
// on_change(true) when this replica becomes the leader, on_change(false)
// when it could not renew within the renew deadline.
class LeaderElection {
 public:
  // The most a shutdown waits for the lease release: an unreachable API
  // server must not hold the process up (followers then wait out the lease).
  static constexpr std::chrono::milliseconds release_timeout{2'000};

  LeaderElection(boost::asio::io_context& io, std::shared_ptr<kube::ApiClient> client,
                 LeaderElectionOptions options, std::function<void(bool)> on_change);
  LeaderElection(const LeaderElection&) = delete;
  LeaderElection& operator=(const LeaderElection&) = delete;
  ~LeaderElection();

  void start();
  void stop();
  bool leading() const;
  // client-go's ReleaseOnCancel: stops campaigning and, if leading, writes
  // the Lease with no holder, so a follower takes over at its next retry
  // instead of after the lease duration. `done` runs once: when the write
  // answered or failed, or after `timeout`, whichever comes first.
  void release(std::chrono::milliseconds timeout, std::function<void()> done);

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// $POD_NAME, else "<hostname>_<pid>": unique per replica.
std::string default_identity();
// Kubernetes MicroTime of the system clock: "2024-05-01T10:00:00.123456Z".
std::string micro_time_now();

}  // namespace sluice::controller
