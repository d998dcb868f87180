// Events on Ingresses; see event_recorder.h.
#include "controller/status/event_recorder.h"

#include <chrono>
#include <cstdio>
#include <deque>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "common/k8s/json_value.h"
#include "common/log.h"
#include "controller/cluster/leader_election.h"
#include "controller/coroutine_end.h"
#include "controller/source/k8s/reflector.h"

namespace sluice::controller {
namespace {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::awaitable;

// A status-only change (our own status write, say) is not worth a Sync event.
bool same_spec(const k8s::Ingress& a, const k8s::Ingress& b) {
  return a.ingress_class_name == b.ingress_class_name && a.default_backend == b.default_backend &&
         a.rules == b.rules && a.tls == b.tls && a.meta.annotations == b.meta.annotations &&
         a.meta.labels == b.meta.labels;
}

}  // namespace

// controller-confined; the coroutine's state (see Reflector::State).
struct EventRecorder::State : std::enable_shared_from_this<State> {
  State(asio::io_context& i, std::shared_ptr<kube::ApiClient> c, const ObjectStore& s, std::string id)
      : io(i), client(std::move(c)), store(s), identity(std::move(id)) {}

  struct Event {
    std::string ns, body;
  };

  asio::io_context& io;
  std::shared_ptr<kube::ApiClient> client;
  const ObjectStore& store;
  std::string identity;
  bool stopped = false;
  bool running = false;
  std::deque<Event> queue;
  std::map<std::string, std::shared_ptr<const k8s::Ingress>> synced;  // the versions announced
  std::set<Warning> warned;                   // the last translation's Ingress warnings
  std::uint64_t posted = 0;
  std::uint64_t sequence = 0;

  void add(const k8s::Ingress& ing, const char* type, const char* reason, const std::string& message);
  static awaitable<void> drain(std::shared_ptr<State> self);
};

void EventRecorder::State::add(const k8s::Ingress& ing, const char* type, const char* reason,
                               const std::string& message) {
  if (queue.size() >= max_queue) {
    log::warn("too many events waiting, dropping one", {{"ingress", ing.meta.key()}, {"reason", reason}});
    return;
  }
  const auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
  char suffix[40];
  std::snprintf(suffix, sizeof suffix, ".%llx", static_cast<unsigned long long>(nanos + static_cast<long long>(sequence++)));
  const std::string now = micro_time_now().substr(0, 19) + "Z";
  std::string body =
      "{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":" +
      k8s::json_quote(ing.meta.name + suffix) + ",\"namespace\":" + k8s::json_quote(ing.meta.ns) +
      "},\"involvedObject\":{\"apiVersion\":\"networking.k8s.io/v1\",\"kind\":\"Ingress\",\"namespace\":" +
      k8s::json_quote(ing.meta.ns) + ",\"name\":" + k8s::json_quote(ing.meta.name) +
      ",\"uid\":" + k8s::json_quote(ing.meta.uid) + ",\"resourceVersion\":" +
      k8s::json_quote(ing.meta.resource_version) + "},\"reason\":" + k8s::json_quote(reason) +
      ",\"message\":" + k8s::json_quote(message) + ",\"type\":" + k8s::json_quote(type) +
      ",\"firstTimestamp\":" + k8s::json_quote(now) + ",\"lastTimestamp\":" + k8s::json_quote(now) +
      ",\"count\":1,\"source\":{\"component\":\"sluice\",\"host\":" + k8s::json_quote(identity) +
      "},\"reportingComponent\":\"sluice.dev/ingress-controller\",\"reportingInstance\":" +
      k8s::json_quote(identity) + "}";
  queue.push_back({ing.meta.ns, std::move(body)});
  if (!running) {
    running = true;
    // However drain ends, a later event must be able to start it again.
    asio::co_spawn(io, drain(shared_from_this()),
                   on_coroutine_end("event recorder", [self = shared_from_this()] { self->running = false; }));
  }
}

awaitable<void> EventRecorder::State::drain(std::shared_ptr<State> self) {
  const kube::Resource events = kube::event_resource();
  while (!self->stopped && !self->queue.empty()) {
    Event e = std::move(self->queue.front());
    self->queue.pop_front();
    const kube::ApiRequest post{.method = http::verb::post, .target = events.collection_path(e.ns),
                                .body = std::move(e.body), .timeout = std::chrono::seconds(10)};
    kube::ApiResponse r = co_await self->client->call(post);
    if (self->stopped) co_return;
    if (r.ok()) {
      ++self->posted;
    } else {
      if (r.status == 401) self->client->invalidate_token();
      log::warn("cannot post an event, dropped", {{"error", r.describe()}});
    }
  }
}

EventRecorder::EventRecorder(asio::io_context& io, std::shared_ptr<kube::ApiClient> client,
                             const ObjectStore& store, std::string identity)
    : state_(std::make_shared<State>(io, std::move(client), store, std::move(identity))) {}

EventRecorder::~EventRecorder() { stop(); }

void EventRecorder::stop() { state_->stopped = true; }

std::uint64_t EventRecorder::posted() const { return state_->posted; }

void EventRecorder::on_translated(const TranslationResult& result) {
  State& s = *state_;
  if (s.stopped) return;
  std::map<std::string, std::shared_ptr<const k8s::Ingress>> synced;
  for (const auto& ing : result.served) {
    const std::string key = ing->meta.key();
    auto it = s.synced.find(key);
    if (it == s.synced.end() || !same_spec(*it->second, *ing)) s.add(*ing, "Normal", "Sync", "Scheduled for sync");
    synced[key] = ing;
  }
  s.synced = std::move(synced);

  std::set<Warning> warned;
  for (const Warning& w : result.warnings) {
    if (w.object.kind != k8s::Kind::ingress) continue;
    warned.insert(w);
    if (s.warned.contains(w)) continue;  // announced when it first appeared
    if (auto ing = s.store.find<k8s::Ingress>(w.object.ns, w.object.name))
      s.add(*ing, "Warning", "RuleSkipped", w.reason);
  }
  s.warned = std::move(warned);
}

}  // namespace sluice::controller
