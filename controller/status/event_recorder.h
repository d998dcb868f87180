// Posts Kubernetes Events on Ingresses: Normal `Sync` when an Ingress (or a
// new version of it) is accepted, Warning `RuleSkipped` with the
// translator's reason when part of it is skipped or answers 503.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>

#include <boost/asio/io_context.hpp>

#include "controller/object_store.h"
#include "controller/source/k8s/api_client.h"
#include "controller/translate/translator.h"

namespace sluice::controller {

// controller-confined. Events are best effort (as client-go's recorder): at
// most max_queue wait to be posted, one request at a time; a failed post is
// logged and dropped. Must be stopped or destroyed before the store.
class EventRecorder {
 public:
  static constexpr std::size_t max_queue = 1000;

  EventRecorder(boost::asio::io_context& io, std::shared_ptr<kube::ApiClient> client, const ObjectStore& store,
                std::string identity);
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;
  ~EventRecorder();

  void on_translated(const TranslationResult& result);
  void stop();
  std::uint64_t posted() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace sluice::controller
