// Least privilege for Secrets: the store holds only the Secrets a route
// references. TLS Secrets come from a watch (field selector
// type=kubernetes.io/tls) and are admitted only while referenced; any other
// referenced Secret is fetched by name (GET), never listed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>

#include "common/k8s/object.h"
#include "controller/object_store.h"
#include "controller/source/k8s/api_client.h"
#include "controller/translate/translator_options.h"

namespace sluice::controller {

// Keys ("namespace/name") of every Secret a served Ingress or a flag
// references: spec.tls[].secretName (in the Ingress's namespace), the
// auth-secret of basic auth, and --default-ssl-certificate. Pure. Policies that read Secrets (basic-auth
// files, CA bundles, client certificates) add their references here, and
// the keeper then fetches them by name with nothing else to change.
std::set<std::string> referenced_secrets(const ObjectStore& store, const TranslatorOptions& options);

// controller-confined. Must be stopped (or destroyed) before the store; its
// coroutines hold only their own shared state afterwards.
class SecretKeeper {
 public:
  SecretKeeper(boost::asio::io_context& io, std::shared_ptr<kube::ApiClient> client, ObjectStore& store,
               const TranslatorOptions& options);
  SecretKeeper(const SecretKeeper&) = delete;
  SecretKeeper& operator=(const SecretKeeper&) = delete;
  ~SecretKeeper();

  // For the Secrets informer: may this watched Secret enter the store?
  // Answers from the store's current Ingresses (recomputed only when
  // Ingresses or IngressClasses changed), so a LIST applied before the first translation is
  // filtered as well as later events.
  bool admits(const k8s::ObjectRef& ref) const;
  // Erases the Secrets no route references any more, and GETs the
  // referenced ones the store lacks (of another type than TLS, or watched
  // before they were referenced, so never kept). `done` runs once those
  // GETs have finished (at once when there are none).
  void reconcile(std::function<void()> done = {});
  // GETs again the referenced Secrets that came by name with another type
  // than TLS (no watch covers them), so a change to one is seen within a
  // watch period (as kubelet's TTL cache of Secrets). Called by the
  // Secrets informer as each of its watches starts.
  void refresh();
  void stop();

  std::uint64_t fetches() const;  // GETs answered 200
  std::size_t referenced() const;  // Secrets routes reference now

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sluice::controller
