// A reflector's LIST, its run loop and backoff, and the Reflector API; see
// reflector.h. The WATCH is in reflector_watch.cc.
#include "controller/source/k8s/reflector.h"

#include <cctype>
#include <cstdlib>
#include <set>

#include <boost/asio/co_spawn.hpp>

#include "common/k8s/json_value.h"
#include "common/log.h"
#include "controller/source/k8s/reflector_state.h"

namespace sluice::controller::kube {

using namespace reflector_detail;

namespace {

std::string group_version_prefix(const std::string& api_version) {
  return api_version.find('/') == std::string::npos ? "/api/" + api_version : "/apis/" + api_version;
}

std::string scalar_at(const k8s::Value& v, std::string_view a, std::string_view b) {
  auto x = v.member(a)->member(b);
  return x->kind() == k8s::Value::type::scalar ? x->scalar() : std::string();
}

}  // namespace

std::optional<k8s::ObjectRef> reflector_detail::loose_ref(const k8s::Value& object, const Resource& r) {
  auto meta = object.member("metadata");
  auto name = meta->member("name");
  if (name->kind() != k8s::Value::type::scalar || name->scalar().empty()) return std::nullopt;
  std::string ns;
  if (r.namespaced) {
    auto n = meta->member("namespace");
    ns = n->kind() == k8s::Value::type::scalar && !n->scalar().empty() ? n->scalar() : "default";
  }
  return k8s::ObjectRef{r.kind, ns, name->scalar()};
}

bool reflector_detail::fault_injected_for_test(const std::string& plural) {
  const char* v = std::getenv("SLUICE_INFORMER_FAULT_FOR_TEST");
  return v != nullptr && plural == v;
}

std::string url_encode(std::string_view value) {
  static constexpr char hex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : value) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

std::string Resource::collection_path(const std::string& ns) const {
  std::string p = group_version_prefix(api_version);
  if (namespaced && !ns.empty()) p += "/namespaces/" + ns;
  return p + "/" + plural;
}

std::string Resource::object_path(const std::string& ns, const std::string& name) const {
  return collection_path(namespaced ? ns : "") + "/" + name;
}

const std::vector<Resource>& informer_resources() {
  static const std::vector<Resource> resources = {
      {k8s::Kind::ingress, "networking.k8s.io/v1", "ingresses", true, ""},
      {k8s::Kind::ingress_class, "networking.k8s.io/v1", "ingressclasses", false, ""},
      {k8s::Kind::service, "v1", "services", true, ""},
      {k8s::Kind::endpoint_slice, "discovery.k8s.io/v1", "endpointslices", true, ""},
      {k8s::Kind::secret, "v1", "secrets", true, "type=kubernetes.io/tls"},
  };
  return resources;
}

Resource configmap_resource() { return {k8s::Kind::config_map, "v1", "configmaps", true, ""}; }
Resource lease_resource() { return {k8s::Kind::ingress, "coordination.k8s.io/v1", "leases", true, ""}; }
Resource event_resource() { return {k8s::Kind::ingress, "v1", "events", true, ""}; }

// Input errors are values and never reach here; an exception is a bug in
// our own code. It is logged and counted, and the informer relists (its
// store may be half-updated); too many in a row and it gives up for good.
awaitable<void> Reflector::State::run(std::shared_ptr<State> self) {
  bool need_list = true;
  while (!self->stopped) {
    try {
      co_await self->list_and_watch(need_list);
    } catch (const std::exception& e) {
      self->internal_error = e.what();
    } catch (...) {
      self->internal_error = "unknown exception";
    }
    if (self->stopped) co_return;
    if (self->internal_error.empty()) continue;
    if (!self->on_internal_error()) co_return;
    need_list = true;
    co_await self->wait(self->backoff.next(clock::now()));
  }
}

// Logs and counts the exception in `internal_error`; false once it gave up.
bool Reflector::State::on_internal_error() {
  ++stats.internal_errors;
  std::string error = std::exchange(internal_error, std::string());
  if (++internal_errors_in_a_row >= options.max_internal_errors) {
    give_up(std::to_string(internal_errors_in_a_row) + " internal errors in a row, the last: " + error);
    return false;
  }
  log::error("informer failed internally, relisting", {{"kind", kind_name()}, {"error", error}});
  return true;
}

void Reflector::State::give_up(std::string reason) {
  if (stopped_for_good) return;
  stopped_for_good = true;
  stop_reason = std::move(reason);
  log::error("informer stopped for good: the store no longer follows the cluster",
             {{"kind", kind_name()}, {"reason", stop_reason}});
}

// One turn of the loop: LIST when needed, then one WATCH, then any backoff.
awaitable<void> Reflector::State::list_and_watch(bool& need_list) {
  if (need_list) {
    Outcome o = co_await list();
    if (o == Outcome::stopped || stopped) co_return;
    if (o != Outcome::ok) {
      co_await wait(failure_delay(last_failure, "list"));
      co_return;
    }
    need_list = false;
  }
  bool quick_end = false;
  Outcome o = co_await watch(quick_end);
  if (o == Outcome::stopped || stopped || !internal_error.empty()) co_return;
  ++stats.watch_restarts;  // whatever ended it, another watch (or a relist first) follows
  if (o == Outcome::gone) {
    ++stats.relists_gone;
    log::info("watch resourceVersion expired (410 Gone), relisting",
              {{"kind", kind_name()}, {"resource_version", resource_version}});
    need_list = true;
    co_return;
  }
  if (o == Outcome::failed) {
    co_await wait(failure_delay(last_failure, "watch"));
  } else if (o == Outcome::bad_stream || quick_end) {
    // A stream the server ends at once (or garbles), again and again, must not spin.
    if (quick_end) log::debug("watch ended early, backing off", {{"kind", kind_name()}});
    co_await wait(backoff.next(clock::now()));
  }
}

std::chrono::milliseconds Reflector::State::failure_delay(const ApiResponse& r, const char* what) {
  ++stats.failures;
  if (r.status == 401) client->invalidate_token();
  auto delay = backoff.next(clock::now());
  if (r.retry_after && (r.status == 429 || r.status >= 500))
    delay = std::max(delay, std::chrono::duration_cast<std::chrono::milliseconds>(
                                std::min<std::chrono::seconds>(*r.retry_after, std::chrono::seconds(60))));
  log::warn("API request failed, retrying",
            {{"kind", kind_name()}, {"request", what}, {"error", r.describe()},
             {"retry_in_ms", std::to_string(delay.count())}});
  return delay;
}

awaitable<void> Reflector::State::wait(std::chrono::milliseconds delay) {
  timer.expires_after(delay);
  auto [ec] = co_await timer.async_wait(as_result);
  (void)ec;  // cancelled by stop(): the caller sees `stopped`
}

std::optional<k8s::AnyObject> Reflector::State::decode(std::shared_ptr<const k8s::Value> object,
                                                       const k8s::ObjectRef* ref) {
  const std::string api = resource.api_version;
  k8s::DecodeResult r = k8s::decode_object(k8s::with_type_meta(std::move(object), api, kind_name()));
  if (r.object && k8s::kind_of(*r.object) == resource.kind) return std::move(*r.object);
  if (r.object) r.error = "unexpected kind " + std::string(k8s::kind_name(k8s::kind_of(*r.object)));
  ++stats.decode_errors;
  log::warn("object skipped",
            {{"kind", kind_name()},
             {"object", ref ? ref->key() : r.ref ? r.ref->key() : std::string("(unnamed)")},
             {"reason", r.error}});
  return std::nullopt;
}

void Reflector::State::apply(const k8s::AnyObject& object) {
  k8s::ObjectRef ref = k8s::ref_of(object);
  if (resource.kind == k8s::Kind::secret) {
    // The field selector should have kept other types out; a TLS Secret no
    // route references is not kept either (and never was, if new).
    if (!std::get<std::shared_ptr<const k8s::Secret>>(object)->is_tls() ||
        (options.admit_secret && !options.admit_secret(ref)))
      return remove(ref);
  }
  owned[ref.key()] = ref;
  store.upsert(object);
}

void Reflector::State::remove(const k8s::ObjectRef& ref) {
  owned.erase(ref.key());
  store.erase(ref);
}

awaitable<Outcome> Reflector::State::list() {
  std::vector<k8s::AnyObject> objects;
  std::set<std::string> listed;  // every key listed, decoded or not
  std::string continue_token, list_version;
  const std::string base = resource.collection_path(ns()) + "?limit=" + std::to_string(options.page_size) +
                           (resource.field_selector.empty() ? ""
                                                            : "&fieldSelector=" + url_encode(resource.field_selector));
  do {
    std::string target = base;
    if (!continue_token.empty()) target += "&continue=" + url_encode(continue_token);
    const ApiRequest request{.target = target, .timeout = options.list_timeout};
    ApiResponse r = co_await client->call(request);
    if (stopped) co_return Outcome::stopped;
    if (!r.ok()) {
      last_failure = std::move(r);
      co_return Outcome::failed;  // a 410 here is an expired continue token: start over
    }
    std::string error;
    auto root = k8s::parse_json(r.body, error);
    if (!root || root->kind() != k8s::Value::type::map) {
      last_failure = std::move(r);
      last_failure.status = 0;
      last_failure.error = boost::asio::error::invalid_argument;
      last_failure.error_where = "list body: " + (root ? std::string("not an object") : error);
      co_return Outcome::failed;
    }
    ++stats.list_pages;
    for (auto& item : root->member("items")->elements()) {
      std::shared_ptr<const k8s::Value> shared = std::move(item);
      auto ref = loose_ref(*shared, resource);
      if (ref) listed.insert(ref->key());
      if (auto obj = decode(shared, ref ? &*ref : nullptr)) objects.push_back(std::move(*obj));
    }
    continue_token = scalar_at(*root, "metadata", "continue");
    list_version = scalar_at(*root, "metadata", "resourceVersion");
  } while (!continue_token.empty());

  // Reconcile by diff: objects gone from the list leave the store; a listed
  // object that did not decode keeps its previous version.
  for (const auto& o : objects) apply(o);
  std::vector<k8s::ObjectRef> gone;
  for (const auto& [key, ref] : owned)
    if (!listed.contains(key)) gone.push_back(ref);
  if (resource.kind == k8s::Kind::secret) {
    // A TLS Secret fetched by name (SecretKeeper) is not ours, but this list
    // is the truth for every TLS Secret in its scope: one deleted meanwhile goes.
    for (const auto& [key, secret] : store.all<k8s::Secret>())
      if (secret->is_tls() && !listed.contains(key) && !owned.contains(key) &&
          (ns().empty() || secret->meta.ns == ns()))
        gone.push_back(k8s::ref_of(k8s::AnyObject(secret)));
  }
  for (const auto& ref : gone) remove(ref);
  resource_version = list_version;
  if (stats.lists++ > 0) ++stats.relists;
  stats.last_sync = std::chrono::system_clock::now();
  backoff.healthy(clock::now());
  log::info("listed", {{"kind", kind_name()}, {"objects", std::to_string(objects.size())},
                       {"removed", std::to_string(gone.size())}, {"resource_version", resource_version}});
  if (!synced) {
    synced = true;
    if (on_synced) on_synced();
  }
  co_return Outcome::ok;
}

Reflector::Reflector(asio::io_context& io, std::shared_ptr<ApiClient> client, ObjectStore& store,
                     Resource resource, ReflectorOptions options)
    : state_(std::make_shared<State>(io, std::move(client), store, std::move(resource), std::move(options))) {}

Reflector::~Reflector() { stop(); }

// run() catches what its turns throw, so an exception here escaped the
// catch itself; either way an informer that ends unasked has stopped for good.
void Reflector::start(std::function<void()> on_synced) {
  state_->on_synced = std::move(on_synced);
  asio::co_spawn(state_->timer.get_executor(), State::run(state_), [state = state_](std::exception_ptr e) {
    std::string why = "its coroutine ended";
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        why = std::string("exception: ") + ex.what();
      } catch (...) {
        why = "unknown exception";
      }
    }
    if (!state->stopped) state->give_up(why);
  });
}

void Reflector::stop() {
  if (state_->stopped) return;
  state_->stopped = true;
  state_->timer.cancel();
  // The client's connections are closed by whoever owns the client; a watch
  // in flight sees `stopped` at its next line or when the client stops.
}

bool Reflector::synced() const { return state_->synced; }
bool Reflector::stopped_for_good() const { return state_->stopped_for_good; }
const std::string& Reflector::stop_reason() const { return state_->stop_reason; }
const std::string& Reflector::resource_version() const { return state_->resource_version; }
const Reflector::Stats& Reflector::stats() const { return state_->stats; }
const Resource& Reflector::resource() const { return state_->resource; }

}  // namespace sluice::controller::kube
