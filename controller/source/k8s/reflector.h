// A modest port of client-go's reflector: LIST (paginated), then WATCH from
// the list's resourceVersion with bookmarks, keeping one kind of object in
// the ObjectStore; resumes broken watches, relists on 410 Gone.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <array>

#include <boost/asio/io_context.hpp>

#include "common/k8s/object.h"
#include "controller/object_store.h"
#include "controller/source/k8s/api_client.h"
#include "controller/source/k8s/backoff.h"
#include "controller/source/k8s/watch_event.h"

namespace sluice::controller::kube {

// any thread (immutable). One API resource an informer keeps.
struct Resource {
  k8s::Kind kind = k8s::Kind::ingress;
  std::string api_version;  // "networking.k8s.io/v1", "v1"
  std::string plural;       // "ingresses"
  bool namespaced = true;
  std::string field_selector;  // "" or e.g. "type=kubernetes.io/tls"

  // The collection's path: "/apis/networking.k8s.io/v1/namespaces/NS/ingresses",
  // or across namespaces when `ns` is "" (always for cluster-scoped kinds).
  std::string collection_path(const std::string& ns) const;
  // One object's path.
  std::string object_path(const std::string& ns, const std::string& name) const;
};

// The five resources the translator reads, in k8s::Kind order.
const std::vector<Resource>& informer_resources();
// The ConfigMaps of one namespace (--configmap's, where its add-headers and
// proxy-set-headers maps live too, as ingress-nginx's Role allows).
Resource configmap_resource();
// Leases and Events, for the status side.
Resource lease_resource();
Resource event_resource();

// any thread (immutable)
struct ReflectorOptions {
  std::string ns;  // namespaced kinds: only this namespace ("": all)
  unsigned page_size = 500;  // LIST limit; the rest comes by `continue`
  std::chrono::seconds min_watch_timeout{300};  // timeoutSeconds is random in [min, 2*min)
  std::chrono::milliseconds list_timeout{60'000};  // one LIST page
  std::chrono::milliseconds initial_backoff = Backoff::default_initial;
  std::chrono::milliseconds max_backoff = Backoff::default_cap;
  std::chrono::milliseconds backoff_reset = Backoff::default_reset_after;
  // Exceptions from our own code in a row (a bug, not bad input: input
  // errors are values) after which the informer stops for good and /readyz
  // fails, instead of relisting forever. A handled watch line resets it.
  unsigned max_internal_errors = 5;
  // Secrets only: which watched Secrets may enter the store (the rest are
  // dropped, data and all; see SecretKeeper). Empty: every TLS Secret.
  std::function<bool(const k8s::ObjectRef&)> admit_secret;
  // Secrets only: runs as each watch after the first starts (every 5-10
  // minutes at least, as the server ends watches at timeoutSeconds), so
  // Secrets fetched by name, which no watch covers, are fetched again.
  std::function<void()> on_secret_rewatch;
};

// controller-confined. Must be stopped (or destroyed) before the ObjectStore;
// its coroutine holds only its own shared state afterwards.
class Reflector {
 public:
  // any thread (immutable snapshot of counters, for tests and logs)
  struct Stats {
    std::uint64_t lists = 0;        // complete LISTs (all pages)
    std::uint64_t list_pages = 0;   // LIST requests answered 200
    std::uint64_t watches = 0;      // WATCH requests answered 200
    std::uint64_t events = 0;       // ADDED/MODIFIED/DELETED applied
    std::uint64_t added = 0, modified = 0, deleted = 0;  // `events` by type
    std::uint64_t bookmarks = 0;
    std::uint64_t relists_gone = 0;  // 410 Gone: relisted
    std::uint64_t relists = 0;       // complete LISTs after the first one
    std::uint64_t watch_restarts = 0;  // watches that ended (any reason) and were started again
    // Last time the informer was known in sync: a LIST done, an event or bookmark applied.
    std::chrono::system_clock::time_point last_sync{};
    std::uint64_t decode_errors = 0; // objects skipped
    std::uint64_t failures = 0;      // failed requests or broken streams
    // Watch lines that were not a usable event, by WatchEventError.
    std::array<std::uint64_t, watch_event_error_count> bad_events{};
    std::uint64_t internal_errors = 0;  // exceptions caught (each relists)
  };

  Reflector(boost::asio::io_context& io, std::shared_ptr<ApiClient> client, ObjectStore& store,
            Resource resource, ReflectorOptions options);
  Reflector(const Reflector&) = delete;
  Reflector& operator=(const Reflector&) = delete;
  ~Reflector();

  // Starts listing; `on_synced` runs once, after the first complete LIST is in the store.
  void start(std::function<void()> on_synced);
  void stop();

  bool synced() const;
  // True once the informer has given up (see max_internal_errors); it
  // never restarts by itself. `stop_reason()` says why.
  bool stopped_for_good() const;
  const std::string& stop_reason() const;
  const std::string& resource_version() const;  // opaque; never compared
  const Stats& stats() const;
  const Resource& resource() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
};

// Percent-encodes a query parameter value.
std::string url_encode(std::string_view value);

}  // namespace sluice::controller::kube
