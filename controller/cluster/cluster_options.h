// The flags of cluster mode: where the API is, what to watch, leader
// election, and the address written into Ingress status.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace sluice::controller {

// any thread (immutable). client-go's defaults.
struct LeaderElectionOptions {
  std::string id = "sluice-leader";  // --election-id: the Lease's name
  std::string ns;                    // --election-namespace; "": the pod's namespace, else "default"
  std::chrono::milliseconds lease_duration{15'000};  // followers wait this long after the last renewal
  std::chrono::milliseconds renew_deadline{10'000};  // a leader that cannot renew this long steps down
  std::chrono::milliseconds retry_period{2'000};     // between attempts to acquire or renew
  std::string identity;  // "": $POD_NAME, else hostname_pid
};

// any thread (immutable)
struct ClusterOptions {
  std::string kubeconfig;       // --kubeconfig; "": $KUBECONFIG, then in-cluster
  std::string watch_namespace;  // --watch-namespace; "": all namespaces
  LeaderElectionOptions election;
  std::vector<std::string> publish_status_addresses;  // --publish-status-address A[,B]
  std::string publish_service;                        // --publish-service NS/NAME
  bool update_status = true;  // --update-status=false: never write Ingress status (nor elect a writer)
  std::chrono::milliseconds status_resync{60'000};    // how often the leader rechecks every status
};

}  // namespace sluice::controller
