// Access log, /metrics and /debug/* wiring for `sluice`.
#include "app/observability.h"

#include <unistd.h>

#include <csignal>
#include <cstdlib>

#include "proxy/server/allocation_view.h"
#include "proxy/server/debug_views.h"

namespace sluice::app {

namespace {

std::string env_or(const char* name, std::string fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : std::move(fallback);
}

std::string host_name() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return {};
  return buf;
}

}  // namespace

std::unique_ptr<AccessLog> open_access_log(const Options& o, WorkerPool& pool) {
  if (o.access_log == "off") return nullptr;
  // A reader that went away must cost log lines, not the process.
  std::signal(SIGPIPE, SIG_IGN);
  const auto& workers = pool.workers();
  auto log = std::make_unique<AccessLog>(o.access_log, o.access_log_format, static_cast<unsigned>(workers.size()));
  for (unsigned i = 0; i < workers.size(); ++i) workers[i]->set_access_log(&log->sink(i));
  return log;
}

TranslationReport translation_report(const controller::ControllerLoop& loop) {
  TranslationReport r;
  r.generation = loop.generation();
  r.translations = loop.translations();
  r.built_at = loop.last_built_at();
  r.duration = loop.last_duration();
  r.reason = loop.last_reason();
  const auto& c = loop.last_counts();
  r.ingresses_served = c.ingresses_served;
  r.ingresses_ignored = c.ingresses_ignored;
  r.hosts = c.hosts;
  r.routes = c.routes;
  r.backends = c.backends;
  r.annotation_issues.assign(c.annotation_issues.begin(), c.annotation_issues.end());
  r.annotation_findings = loop.last_annotation_findings();
  for (const auto& w : loop.last_warnings())
    r.skipped.push_back({k8s::kind_name(w.object.kind), w.object.ns, w.object.name, w.reason});
  return r;
}

std::shared_ptr<metrics::MetricsSources> register_observability(
    AdminServer& admin, const Options& o, const WorkerPool& pool, const SnapshotPublisher& publisher,
    const controller::ControllerLoop& loop, const AccessLog* access_log) {
  auto snapshot = [&publisher] { return publisher.current(); };
  auto translation = [&loop] { return translation_report(loop); };
  auto applied = [&publisher] { return publisher.applied_generation(); };

  auto sources = std::make_shared<metrics::MetricsSources>();
  for (const auto& w : pool.workers()) sources->workers.push_back(w.get());
  sources->access_log = access_log;
  sources->translation = translation;
  sources->snapshot = snapshot;
  sources->applied_generation = applied;
  sources->labels = {o.translator.controller_class, env_or("POD_NAMESPACE", ""), env_or("POD_NAME", host_name())};
  admin.handle("/metrics", [sources](std::string_view) {
    return AdminResponse{200, std::string(metrics::exposition_content_type), metrics::render_metrics(*sources)};
  });

  register_debug_views(admin, DebugSources{snapshot, translation, applied});
  register_allocation_view(admin, pool);
  return sources;
}

void add_informer_metrics(metrics::MetricsSources& sources, const controller::kube::ClusterSource& source) {
  sources.extra.push_back([&source](metrics::ExpositionWriter& w) {
    using Stats = controller::kube::Reflector::Stats;
    const auto& reflectors = source.reflectors();
    // One family at a time: the format wants every series of a family together.
    auto counter = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
      w.family(name, type, help);
      for (const auto& r : reflectors)
        w.sample(name, {{"resource", r->resource().plural}}, value(*r, r->stats()));
    };
    counter("sluice_informer_watch_restarts_total", "counter",
            "Watches that ended (closed by the server, broken, refused or expired) and were started again",
            [](const auto&, const Stats& s) { return s.watch_restarts; });
    counter("sluice_informer_relists_total", "counter",
            "Full LISTs after the initial one (the watch's resourceVersion expired: 410 Gone)",
            [](const auto&, const Stats& s) { return s.relists; });
    counter("sluice_informer_synced", "gauge", "1 once the informer's first LIST is in the store",
            [](const auto& r, const Stats&) { return std::uint64_t{r.synced() ? 1u : 0u}; });
    counter("sluice_informer_last_sync_timestamp_seconds", "gauge",
            "Last time the informer was known in sync (a LIST done, a watch event or bookmark applied), "
            "seconds since the epoch; 0 before the first LIST",
            [](const auto&, const Stats& s) {
              return std::chrono::duration<double>(s.last_sync.time_since_epoch()).count();
            });
    counter("sluice_informer_objects_skipped_total", "counter",
            "Listed or watched objects that did not decode (their previous version stays)",
            [](const auto&, const Stats& s) { return s.decode_errors; });
    counter("sluice_informer_internal_errors_total", "counter",
            "Exceptions from sluice's own code caught in an informer (each relists); a bug to report",
            [](const auto&, const Stats& s) { return s.internal_errors; });
    counter("sluice_informer_stopped", "gauge",
            "1 once the informer has stopped for good (too many internal errors in a row); /readyz fails",
            [](const auto& r, const Stats&) { return std::uint64_t{r.stopped_for_good() ? 1u : 0u}; });
    w.family("sluice_informer_bad_events_total", "counter",
             "Watch stream lines that were not a usable event, by reason (skipped, or the watch restarted)");
    for (const auto& r : reflectors)
      for (std::size_t i = 0; i < controller::kube::watch_event_error_count; ++i)
        w.sample("sluice_informer_bad_events_total",
                 {{"resource", r->resource().plural},
                  {"reason", controller::kube::error_name(static_cast<controller::kube::WatchEventError>(i))}},
                 r->stats().bad_events[i]);
    w.family("sluice_informer_events_total", "counter", "Watch events applied, by type");
    for (const auto& r : reflectors) {
      const Stats& s = r->stats();
      for (auto [type, n] : {std::pair<std::string_view, std::uint64_t>{"ADDED", s.added},
                             {"MODIFIED", s.modified},
                             {"DELETED", s.deleted},
                             {"BOOKMARK", s.bookmarks}})
        w.sample("sluice_informer_events_total", {{"resource", r->resource().plural}, {"type", type}}, n);
    }
  });
}

void add_store_metrics(metrics::MetricsSources& sources, const controller::ObjectStore& store) {
  sources.extra.push_back([&store](metrics::ExpositionWriter& w) {
    w.family("sluice_store_objects", "gauge", "Objects in the controller's store, by kind");
    auto sample = [&](k8s::Kind kind, std::size_t n) {
      w.sample("sluice_store_objects", {{"kind", k8s::kind_name(kind)}}, std::uint64_t{n});
    };
    sample(k8s::Kind::ingress, store.all<k8s::Ingress>().size());
    sample(k8s::Kind::ingress_class, store.all<k8s::IngressClass>().size());
    sample(k8s::Kind::service, store.all<k8s::Service>().size());
    sample(k8s::Kind::endpoint_slice, store.all<k8s::EndpointSlice>().size());
    sample(k8s::Kind::secret, store.all<k8s::Secret>().size());
    sample(k8s::Kind::config_map, store.all<k8s::ConfigMap>().size());
  });
}

void add_secret_metrics(metrics::MetricsSources& sources, const controller::SecretKeeper& secrets) {
  sources.extra.push_back([&secrets](metrics::ExpositionWriter& w) {
    w.family("sluice_secrets_referenced", "gauge", "Secrets the routes and flags reference (the most the store keeps)");
    w.sample("sluice_secrets_referenced", {}, std::uint64_t{secrets.referenced()});
    w.family("sluice_secret_fetches_total", "counter",
             "Referenced Secrets fetched by name (GET), not brought by the TLS Secrets watch");
    w.sample("sluice_secret_fetches_total", {}, secrets.fetches());
  });
}

}  // namespace sluice::app
