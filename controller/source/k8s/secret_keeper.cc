// Which Secrets the store may hold, and fetching the referenced ones by
// name; see secret_keeper.h.
#include "controller/source/k8s/secret_keeper.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/k8s/json_value.h"
#include "common/log.h"
#include "controller/coroutine_end.h"
#include "controller/source/k8s/reflector.h"
#include "controller/translate/annotations/annotation_groups.h"
#include "controller/translate/class_selection.h"

namespace sluice::controller {
namespace {

namespace asio = boost::asio;
using asio::awaitable;

const kube::Resource& secrets_resource() { return kube::informer_resources()[4]; }

}  // namespace

std::set<std::string> referenced_secrets(const ObjectStore& store, const TranslatorOptions& options) {
  std::set<std::string> keys;
  const ClassSelector classes(store, options);
  for (const auto& [key, ing] : store.all<k8s::Ingress>()) {
    if (!classes.is_ours(*ing)) continue;  // another controller's Secrets stay out
    for (const k8s::IngressTls& tls : ing->tls)
      if (!tls.secret_name.empty()) keys.insert(ing->meta.ns + "/" + tls.secret_name);
    if (auto auth = auth_secret_reference(*ing)) keys.insert(std::move(*auth));
  }
  if (options.default_ssl_certificate.find('/') != std::string::npos) keys.insert(options.default_ssl_certificate);
  return keys;
}

// controller-confined. What the keeper's coroutines share.
struct SecretKeeper::State : std::enable_shared_from_this<State> {
  State(asio::io_context& i, std::shared_ptr<kube::ApiClient> c, ObjectStore& s, const TranslatorOptions& o)
      : io(i), client(std::move(c)), store(s), options(o) {}

  asio::io_context& io;
  std::shared_ptr<kube::ApiClient> client;
  ObjectStore& store;
  const TranslatorOptions& options;
  bool stopped = false;
  mutable std::set<std::string> referenced;
  // The Ingress and IngressClass change counts the set was computed at: it
  // depends on nothing else, so applying a LIST of Secrets recomputes nothing.
  mutable std::pair<std::uint64_t, std::uint64_t> computed_at{~std::uint64_t{0}, 0};
  std::set<std::string> in_flight;  // keys being fetched
  std::set<std::string> by_name;    // fetched, of a type the TLS watch does not bring
  std::uint64_t fetches = 0;
  std::function<void()> done;  // of the last reconcile, run when in_flight empties

  const std::set<std::string>& current() const {
    const std::pair now{store.changes(k8s::Kind::ingress), store.changes(k8s::Kind::ingress_class)};
    if (computed_at != now) {
      referenced = referenced_secrets(store, options);
      computed_at = now;
    }
    return referenced;
  }
  void finish_if_idle() {
    if (stopped) done = nullptr;  // what it would call may be gone
    if (!in_flight.empty() || !done) return;
    auto d = std::move(done);
    done = nullptr;
    d();
  }
  static awaitable<void> fetch(std::shared_ptr<State> self, std::string key);
  void start_fetch(const std::string& key);
};

awaitable<void> SecretKeeper::State::fetch(std::shared_ptr<State> self, std::string key) {
  const auto slash = key.find('/');
  const std::string ns = key.substr(0, slash), name = key.substr(slash + 1);
  const kube::ApiRequest get{.target = secrets_resource().object_path(ns, name), .timeout = std::chrono::seconds(10)};
  kube::ApiResponse r = co_await self->client->call(get);
  if (self->stopped) co_return;
  if (r.status == 404) {  // the translator warns that the route's Secret is missing
    log::debug("referenced Secret not found", {{"secret", key}});
    co_return;
  }
  if (!r.ok()) {  // tried again at the next reconcile (the next translation)
    if (r.status == 401) self->client->invalidate_token();
    log::warn("cannot get a referenced Secret", {{"secret", key}, {"error", r.describe()}});
    co_return;
  }
  std::string error;
  auto value = k8s::parse_json(r.body, error);
  k8s::DecodeResult d;
  if (value) d = k8s::decode_object(k8s::with_type_meta(std::move(value), "v1", "Secret"));
  if (!d.object || k8s::kind_of(*d.object) != k8s::Kind::secret || k8s::ref_of(*d.object).key() != key) {
    log::warn("referenced Secret skipped", {{"secret", key}, {"reason", value ? d.error : error}});
    co_return;
  }
  ++self->fetches;
  const auto& secret = std::get<std::shared_ptr<const k8s::Secret>>(*d.object);
  if (secret->is_tls()) self->by_name.erase(key);  // the watch brings its changes from now on
  else self->by_name.insert(key);
  if (self->current().contains(key)) self->store.upsert(*d.object);  // still referenced now
}

SecretKeeper::SecretKeeper(asio::io_context& io, std::shared_ptr<kube::ApiClient> client, ObjectStore& store,
                           const TranslatorOptions& options)
    : state_(std::make_shared<State>(io, std::move(client), store, options)) {}

SecretKeeper::~SecretKeeper() { stop(); }

void SecretKeeper::stop() { state_->stopped = true; }

bool SecretKeeper::admits(const k8s::ObjectRef& ref) const { return state_->current().contains(ref.key()); }

void SecretKeeper::reconcile(std::function<void()> done) {
  State& s = *state_;
  if (s.stopped) return;
  const std::set<std::string> wanted = s.current();  // a copy: erasing below changes the store
  std::vector<k8s::ObjectRef> unused;
  for (const auto& [key, secret] : s.store.all<k8s::Secret>())
    if (!wanted.contains(key)) unused.push_back(k8s::ref_of(k8s::AnyObject(secret)));
  for (const auto& ref : unused) s.store.erase(ref);
  if (!unused.empty()) log::info("unreferenced Secrets dropped", {{"secrets", std::to_string(unused.size())}});
  for (const std::string& key : wanted) {
    if (!s.store.all<k8s::Secret>().contains(key)) s.start_fetch(key);
  }
  std::erase_if(s.by_name, [&wanted](const std::string& key) { return !wanted.contains(key); });
  if (done) {
    if (s.done) {  // an earlier reconcile still waits: run both when the fetches end
      s.done = [a = std::move(s.done), b = std::move(done)] {
        a();
        b();
      };
    } else {
      s.done = std::move(done);
    }
  }
  if (s.in_flight.empty()) asio::post(s.io, [self = state_] { self->finish_if_idle(); });
}

void SecretKeeper::State::start_fetch(const std::string& key) {
  if (stopped || in_flight.contains(key)) return;
  in_flight.insert(key);
  asio::co_spawn(io, fetch(shared_from_this(), key), on_coroutine_end("secret fetch", [self = shared_from_this(), key] {
                   self->in_flight.erase(key);
                   self->finish_if_idle();
                 }));
}

void SecretKeeper::refresh() {
  State& s = *state_;
  const std::set<std::string> keys = s.by_name;  // a copy: fetches change it
  for (const std::string& key : keys)
    if (s.current().contains(key)) s.start_fetch(key);
}

std::uint64_t SecretKeeper::fetches() const { return state_->fetches; }
std::size_t SecretKeeper::referenced() const { return state_->current().size(); }

}  // namespace sluice::controller
