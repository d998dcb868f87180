// Writes status.loadBalancer.ingress of every served Ingress (leader only),
// from --publish-status-address or the --publish-service Service's own
// load-balancer status, through the /status subresource, only when it differs.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>

#include "common/k8s/ingress.h"
#include "controller/cluster/cluster_options.h"
#include "controller/object_store.h"
#include "controller/source/k8s/api_client.h"
#include "controller/translate/translator.h"

namespace sluice::controller {

// controller-confined. Must be stopped or destroyed before the store.
class StatusWriter {
 public:
  StatusWriter(boost::asio::io_context& io, std::shared_ptr<kube::ApiClient> client, const ObjectStore& store,
               const ClusterOptions& options);
  StatusWriter(const StatusWriter&) = delete;
  StatusWriter& operator=(const StatusWriter&) = delete;
  ~StatusWriter();

  // Starts the periodic recheck.
  void start();
  void stop();
  // Only the leader writes; becoming the leader rechecks every Ingress.
  void set_leader(bool leader);
  // After each translation: the served Ingresses may have changed.
  void on_translated(const TranslationResult& result);

  std::uint64_t writes() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// The entries to publish: IPs as `ip`, anything else as `hostname`, sorted.
std::vector<k8s::LoadBalancerIngress> addresses_to_load_balancer(const std::vector<std::string>& addresses);

}  // namespace sluice::controller
