// render_metrics: gather (sum over workers, keyed by label values), then
// write family by family. docs/metrics.md lists every family written here.
#include "proxy/observe/metrics/metrics_endpoint.h"

#include <array>
#include <map>
#include <set>
#include <tuple>

#include "proxy/observe/access_log/access_log.h"
#include "proxy/observe/metrics/exchange_metrics.h"
#include "proxy/observe/metrics/process_stats.h"
#include "proxy/server/worker.h"

namespace sluice::metrics {

namespace {

constexpr std::string_view nginx = "nginx_ingress_controller_";

template <std::size_t N>
struct HistogramSum {
  std::array<std::uint64_t, N + 1> buckets{};
  double sum = 0;

  void add(const Histogram<N>& h) {
    for (std::size_t i = 0; i <= N; ++i) buckets[i] += h.buckets[i].load(std::memory_order_relaxed);
    sum += h.sum.load(std::memory_order_relaxed);
  }
  std::uint64_t count() const {
    std::uint64_t n = 0;
    for (auto b : buckets) n += b;
    return n;
  }
};

struct SeriesSum {
  std::uint64_t requests = 0;
  HistogramSum<time_buckets.size()> request_duration, response_duration, header_duration;
  HistogramSum<length_buckets.size()> request_size, response_size;
};

// host, ingress, method, namespace, path, service, status: label order.
using SeriesKey = std::tuple<std::string, std::string, std::string, std::string, std::string, std::string,
                             std::uint16_t>;

std::map<SeriesKey, SeriesSum> gather_series(const std::vector<const Worker*>& workers) {
  std::map<SeriesKey, SeriesSum> out;
  for (const Worker* w : workers) {
    const ExchangeMetrics& m = w->metrics();
    const std::size_t n = m.series_count();
    for (std::size_t i = 0; i < n; ++i) {
      const Series& s = m.series(i);
      const RouteLabels& l = m.labels(s.labels);
      SeriesSum& sum = out[{l.host, l.ingress, m.method(s.method), l.ns, l.path, l.service, s.status}];
      sum.requests += s.requests.load(std::memory_order_relaxed);
      sum.request_duration.add(s.request_duration);
      sum.response_duration.add(s.response_duration);
      sum.header_duration.add(s.header_duration);
      sum.request_size.add(s.request_size);
      sum.response_size.add(s.response_size);
    }
  }
  return out;
}

std::uint64_t sum_local_replies(const std::vector<const Worker*>& workers, std::size_t error) {
  std::uint64_t n = 0;
  for (const Worker* w : workers) n += w->stats().local_replies[error].load(std::memory_order_relaxed);
  return n;
}

std::uint64_t sum_stat(const std::vector<const Worker*>& workers, std::atomic<std::uint64_t> WorkerStats::*field) {
  std::uint64_t n = 0;
  for (const Worker* w : workers) n += (w->stats().*field).load(std::memory_order_relaxed);
  return n;
}

std::uint64_t sum_health(const std::vector<const Worker*>& workers,
                         std::atomic<std::uint64_t> UpstreamHealthCounters::*field) {
  std::uint64_t n = 0;
  for (const Worker* w : workers) n += (w->stats().upstream_health.*field).load(std::memory_order_relaxed);
  return n;
}

class Renderer {
 public:
  Renderer(const MetricsSources& sources, std::string& out) : src_(sources), w_(out) {
    constant_ = {Label{"controller_class", src_.labels.controller_class},
                 Label{"controller_namespace", src_.labels.controller_namespace},
                 Label{"controller_pod", src_.labels.controller_pod}};
  }

  void requests() {
    const auto series = gather_series(src_.workers);
    std::string status;
    auto labels_of = [&](const SeriesKey& k) {
      status = std::to_string(std::get<6>(k));
      std::vector<Label> l(constant_.begin(), constant_.end());
      l.insert(l.end(), {{"host", std::get<0>(k)}, {"ingress", std::get<1>(k)}, {"method", std::get<2>(k)},
                         {"namespace", std::get<3>(k)}, {"path", std::get<4>(k)}, {"service", std::get<5>(k)},
                         {"status", status}});
      return l;
    };
    w_.family(name("requests"), "counter", "The total number of client requests");
    for (const auto& [k, s] : series) w_.sample(name("requests"), labels_of(k), s.requests);

    auto histogram = [&](std::string_view family, std::string_view help, auto member, const auto& bounds) {
      w_.family(name(family), "histogram", help);
      for (const auto& [k, s] : series) {
        const auto& h = s.*member;
        if (h.count() == 0) continue;  // e.g. no upstream was involved
        w_.histogram(name(family), labels_of(k), bounds, h.buckets, h.sum);
      }
    };
    histogram("request_duration_seconds", "The request processing time in seconds (first byte in to last byte out)",
              &SeriesSum::request_duration, time_buckets);
    histogram("response_duration_seconds", "The time spent on receiving the response from the upstream server",
              &SeriesSum::response_duration, time_buckets);
    histogram("header_duration_seconds", "The time spent on receiving first header from the upstream server",
              &SeriesSum::header_duration, time_buckets);
    histogram("request_size", "The request length (including request line, header, and request body)",
              &SeriesSum::request_size, length_buckets);
    histogram("response_size", "The response length (including status line, header, and response body)",
              &SeriesSum::response_size, length_buckets);
  }

  void connections() {
    const auto& ws = src_.workers;
    w_.family(name("nginx_process_connections"), "gauge",
              "current number of client connections with state {active, reading, writing, waiting}");
    const auto active = sum_stat(ws, &WorkerStats::connections_active);
    const auto reading = sum_stat(ws, &WorkerStats::connections_reading);
    const auto waiting = sum_stat(ws, &WorkerStats::connections_waiting);
    // The sums are read one by one while the workers run: never below 0.
    const auto writing = active > reading + waiting ? active - reading - waiting : 0;
    w_.sample(name("nginx_process_connections"), with_constant({{"state", "active"}}), active);
    w_.sample(name("nginx_process_connections"), with_constant({{"state", "reading"}}), reading);
    w_.sample(name("nginx_process_connections"), with_constant({{"state", "writing"}}), writing);
    w_.sample(name("nginx_process_connections"), with_constant({{"state", "waiting"}}), waiting);
    const auto accepted = sum_stat(ws, &WorkerStats::connections_accepted);
    w_.family(name("nginx_process_connections_total"), "counter",
              "total number of connections with state {accepted, handled}");
    w_.sample(name("nginx_process_connections_total"), with_constant({{"state", "accepted"}}), accepted);
    w_.sample(name("nginx_process_connections_total"), with_constant({{"state", "handled"}}), accepted);
    w_.family(name("nginx_process_requests_total"), "counter", "total number of client requests");
    w_.sample(name("nginx_process_requests_total"), constant_, sum_stat(ws, &WorkerStats::requests));

    w_.family("sluice_max_connections_reached_total", "counter",
              "Times a worker stopped accepting because it held --max-connections client connections");
    w_.sample("sluice_max_connections_reached_total", {}, sum_stat(ws, &WorkerStats::max_connections_reached));
    w_.family("sluice_accept_fd_exhausted_total", "counter",
              "accept(2) calls that failed for want of a file descriptor or kernel memory (then retried after 100ms)");
    w_.sample("sluice_accept_fd_exhausted_total", {}, sum_stat(ws, &WorkerStats::accept_fd_exhausted));
    w_.family("sluice_keepalive_requests_reached_total", "counter",
              "Client connections closed after the last request --keepalive-requests allows");
    w_.sample("sluice_keepalive_requests_reached_total", {}, sum_stat(ws, &WorkerStats::keepalive_requests_reached));

    w_.family("sluice_tunnels_total", "counter", "Upgraded connections (WebSocket) opened");
    w_.sample("sluice_tunnels_total", {}, sum_stat(ws, &WorkerStats::tunnels));
    w_.family("sluice_tunnels_active", "gauge", "Upgraded connections (WebSocket) open now");
    w_.sample("sluice_tunnels_active", {}, sum_stat(ws, &WorkerStats::tunnels_active));
    w_.family("sluice_tunnel_idle_timeouts_total", "counter",
              "Upgraded connections closed after --tunnel-idle-timeout without a byte either way");
    w_.sample("sluice_tunnel_idle_timeouts_total", {}, sum_stat(ws, &WorkerStats::tunnel_idle_timeouts));

    w_.family("sluice_local_replies_total", "counter",
              "Responses the proxy wrote itself instead of a backend's, by reason (every limit and refusal)");
    for (std::size_t e = 1; e < proxy_error_count; ++e) {
      const auto error = static_cast<ProxyError>(e);
      w_.sample("sluice_local_replies_total", {{"reason", error_name(error)}},
                sum_local_replies(ws, e));
    }

    w_.family("sluice_upstream_connections_opened_total", "counter", "New connections to backends that succeeded");
    w_.sample("sluice_upstream_connections_opened_total", {}, sum_stat(ws, &WorkerStats::upstream_connects));
    w_.family("sluice_upstream_connections_reused_total", "counter", "Requests sent on a pooled keep-alive connection");
    w_.sample("sluice_upstream_connections_reused_total", {}, sum_stat(ws, &WorkerStats::upstream_reuses));
    w_.family("sluice_upstream_connect_failures_total", "counter",
              "Connections to backends that failed (refused, unreachable, timed out)");
    w_.sample("sluice_upstream_connect_failures_total", {}, sum_stat(ws, &WorkerStats::upstream_connect_failures));
    w_.family("sluice_upstream_retries_total", "counter",
              "Upstream attempts after an exchange's first (next endpoint or a fresh connection)");
    w_.sample("sluice_upstream_retries_total", {}, sum_stat(ws, &WorkerStats::upstream_retries));
    w_.family("sluice_upstream_ejections_total", "counter",
              "Endpoints ejected by passive health checks (--upstream-max-fails, --upstream-fail-timeout)");
    w_.sample("sluice_upstream_ejections_total", {}, sum_health(ws, &UpstreamHealthCounters::ejections));
    w_.family("sluice_upstream_panic_picks_total", "counter",
              "Endpoint picks made while every candidate endpoint was ejected");
    w_.sample("sluice_upstream_panic_picks_total", {}, sum_health(ws, &UpstreamHealthCounters::panic_picks));
    w_.family("sluice_tls_handshakes_total", "counter", "TLS handshakes completed on the HTTPS listener");
    w_.sample("sluice_tls_handshakes_total", {}, sum_stat(ws, &WorkerStats::tls_handshakes));
    w_.family("sluice_tls_handshake_errors_total", "counter", "TLS handshakes that failed on the HTTPS listener");
    w_.sample("sluice_tls_handshake_errors_total", {}, sum_stat(ws, &WorkerStats::tls_handshake_errors));

    std::uint64_t overflow = 0;
    for (const Worker* w : ws) overflow += w->metrics().overflow();
    w_.family("sluice_metrics_series_overflow_total", "counter",
              "Requests not counted by label because a worker reached its series limit");
    w_.sample("sluice_metrics_series_overflow_total", {}, overflow);
  }

  void process() {
    const auto p = read_process_stats();
    if (!p) return;
    w_.family(name("nginx_process_cpu_seconds_total"), "counter", "Cpu usage in seconds");
    w_.sample(name("nginx_process_cpu_seconds_total"), constant_, p->cpu_seconds);
    w_.family(name("nginx_process_resident_memory_bytes"), "gauge", "number of bytes of memory in use");
    w_.sample(name("nginx_process_resident_memory_bytes"), constant_, p->resident_bytes);
    w_.family(name("nginx_process_virtual_memory_bytes"), "gauge", "number of bytes of memory in use");
    w_.sample(name("nginx_process_virtual_memory_bytes"), constant_, p->virtual_bytes);
    w_.family(name("nginx_process_num_procs"), "gauge", "number of processes");
    w_.sample(name("nginx_process_num_procs"), constant_, std::uint64_t{1});
    w_.family(name("nginx_process_oldest_start_time_seconds"), "gauge", "start time in seconds since 1970/01/01");
    w_.sample(name("nginx_process_oldest_start_time_seconds"), constant_, p->start_time_seconds);

    w_.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
    w_.sample("process_cpu_seconds_total", {}, p->cpu_seconds);
    w_.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    w_.sample("process_resident_memory_bytes", {}, p->resident_bytes);
    w_.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    w_.sample("process_virtual_memory_bytes", {}, p->virtual_bytes);
    w_.family("process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.");
    w_.sample("process_start_time_seconds", {}, p->start_time_seconds);
    w_.family("process_open_fds", "gauge", "Number of open file descriptors.");
    w_.sample("process_open_fds", {}, p->open_fds);
    w_.family("process_max_fds", "gauge", "Maximum number of open file descriptors.");
    w_.sample("process_max_fds", {}, p->max_fds);
    w_.family("sluice_threads", "gauge", "Threads in the process (workers, controller, access-log writer)");
    w_.sample("sluice_threads", {}, p->threads);
  }

  void controller() {
    if (!src_.translation) return;
    const TranslationReport r = src_.translation();
    const double built = r.generation == 0 ? 0.0 : std::chrono::duration<double>(r.built_at.time_since_epoch()).count();
    w_.family(name("success"), "counter", "Cumulative number of Ingress controller reload operations");
    w_.sample(name("success"), constant_, r.translations);
    w_.family(name("config_last_reload_successful"), "gauge",
              "Whether the last configuration reload attempt was successful");
    w_.sample(name("config_last_reload_successful"), constant_, std::uint64_t{r.generation > 0 ? 1u : 0u});
    w_.family(name("config_last_reload_successful_timestamp_seconds"), "gauge",
              "Timestamp of the last successful configuration reload.");
    w_.sample(name("config_last_reload_successful_timestamp_seconds"), constant_, built);

    w_.family("sluice_snapshot_generation", "gauge", "Generation of the last snapshot the controller published");
    w_.sample("sluice_snapshot_generation", {}, r.generation);
    if (src_.applied_generation) {
      w_.family("sluice_snapshot_applied_generation", "gauge", "Generation every worker is serving");
      w_.sample("sluice_snapshot_applied_generation", {}, src_.applied_generation());
    }
    w_.family("sluice_translations_total", "counter", "Translations of the object store into a snapshot");
    w_.sample("sluice_translations_total", {}, r.translations);
    w_.family("sluice_translation_duration_seconds", "gauge", "How long the last translation took");
    w_.sample("sluice_translation_duration_seconds", {}, std::chrono::duration<double>(r.duration).count());
    w_.family("sluice_translation_skipped_objects", "gauge",
              "Objects (or parts of them) the last translation skipped, as listed by /debug/snapshot");
    w_.sample("sluice_translation_skipped_objects", {}, std::uint64_t{r.skipped.size()});
    w_.family("sluice_annotation_issues", "gauge",
              "nginx.ingress.kubernetes.io annotations of the last translation that do not carry over, by kind");
    for (std::string_view kind : {"unknown", "snippet", "unsupported", "invalid", "differs"}) {
      std::uint64_t n = 0;
      for (const auto& [k, count] : r.annotation_issues)
        if (k == kind) n = count;
      w_.sample("sluice_annotation_issues", {{"kind", kind}}, n);
    }
    w_.family("sluice_snapshot_entries", "gauge", "What the current snapshot holds, by kind");
    for (auto [kind, n] : {std::pair<std::string_view, std::size_t>{"ingresses", r.ingresses_served},
                           {"ingresses_ignored", r.ingresses_ignored},
                           {"hosts", r.hosts},
                           {"routes", r.routes},
                           {"backends", r.backends}})
      w_.sample("sluice_snapshot_entries", {{"kind", kind}}, std::uint64_t{n});
  }

  // ingress-nginx sets it to float64 of its 64-bit hashstructure hash of
  // the whole configuration at each successful reload, and 0 before one;
  // here, the snapshot's content hash (common/model/route_table.h), which
  // moves when and only when what is served changes.
  void config_hash() {
    if (!src_.snapshot) return;
    const auto table = src_.snapshot();
    w_.family(name("config_hash"), "gauge", "Running configuration hash actually running");
    w_.sample(name("config_hash"), constant_, table ? static_cast<double>(table->content_hash()) : 0.0);
  }

  void certificates() {
    if (!src_.snapshot) return;
    const auto table = src_.snapshot();
    w_.family(name("ssl_expire_time_seconds"), "gauge",
              "Number of seconds since 1970 to the SSL Certificate expire.");
    if (!table) return;
    std::set<std::string_view> hosts;
    for (const Route& r : table->routes())
      if (!r.host.empty()) hosts.insert(r.host);
    for (std::string_view host : hosts) {
      const TlsCertificate* cert = table->host_certificate(host);
      if (!cert || cert->not_after <= 0) continue;
      std::string_view secret = cert->name;
      std::string_view ns;
      if (auto slash = secret.find('/'); slash != std::string_view::npos) {
        ns = secret.substr(0, slash);
        secret = secret.substr(slash + 1);
      }
      w_.sample(name("ssl_expire_time_seconds"),
                with_constant({{"class", src_.labels.controller_class}, {"host", host}, {"namespace", ns},
                               {"secret_name", secret}}),
                static_cast<double>(cert->not_after));
    }
  }

  void access_log() {
    if (!src_.access_log) return;
    w_.family("sluice_access_log_lines_total", "counter", "Access-log lines queued for the writer");
    w_.sample("sluice_access_log_lines_total", {}, src_.access_log->lines());
    w_.family("sluice_access_log_dropped_total", "counter",
              "Access-log lines dropped because the writer fell behind (a worker's buffer was full)");
    w_.sample("sluice_access_log_dropped_total", {}, src_.access_log->dropped());
    w_.family("sluice_access_log_write_errors_total", "counter", "Failed writes to the access log");
    w_.sample("sluice_access_log_write_errors_total", {}, src_.access_log->write_errors());
  }

  void extra() {
    for (const auto& f : src_.extra) f(w_);
  }

 private:
  std::string_view name(std::string_view suffix) {
    name_.assign(nginx);
    name_ += suffix;
    return name_;
  }
  std::vector<Label> with_constant(std::initializer_list<Label> more) const {
    std::vector<Label> l(constant_.begin(), constant_.end());
    l.insert(l.end(), more);
    return l;
  }

  const MetricsSources& src_;
  ExpositionWriter w_;
  std::array<Label, 3> constant_;
  std::string name_;
};

}  // namespace

std::string render_metrics(const MetricsSources& sources) {
  std::string out;
  out.reserve(64 * 1024);
  Renderer r(sources, out);
  r.requests();
  r.connections();
  r.process();
  r.controller();
  r.config_hash();
  r.certificates();
  r.access_log();
  r.extra();
  return out;
}

}  // namespace sluice::metrics
