// ExchangeMetrics: route -> labels by index (rebuilt per snapshot), then
// (labels, method, status) -> series through a small open-addressing table.
#include "proxy/observe/metrics/exchange_metrics.h"

#include <chrono>

namespace sluice::metrics {

namespace {

constexpr std::uint64_t empty_key = UINT64_MAX;
constexpr std::size_t initial_index_slots = 1024;  // a power of two

std::uint64_t series_key(std::uint32_t labels, std::uint16_t method, int status) {
  const auto s = static_cast<std::uint16_t>(status < 0 ? 0 : status > 65535 ? 65535 : status);
  return (std::uint64_t{labels} << 32) | (std::uint64_t{method} << 16) | s;
}

std::size_t slot_of(std::uint64_t key, std::size_t mask) {
  key ^= key >> 33;
  key *= 0xff51afd7ed558ccdULL;
  key ^= key >> 33;
  return static_cast<std::size_t>(key) & mask;
}

double seconds(std::chrono::steady_clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

}  // namespace

ExchangeMetrics::ExchangeMetrics() {
  // Labels 0: requests no rule matched (404s, bad requests).
  RouteLabels* none = labels_.prepare();
  none->host = "_";
  labels_.publish();
  labels_by_key_.emplace(std::string("\x1f\x1f\x1f_\x1f"), 0);
  // Method 0 collects whatever is past max_methods.
  *methods_.prepare() = "OTHER";
  methods_.publish();
  index_keys_.assign(initial_index_slots, empty_key);
  index_values_.assign(initial_index_slots, 0);
  key_scratch_.reserve(256);
}

// Labels are looked up the first time a route is used, so a snapshot of
// thousands of routes costs the worker one vector fill when it switches.
void ExchangeMetrics::on_snapshot(const RouteTable& table) {
  const auto& routes = table.routes();
  route_labels_.assign(routes.size(), unknown_labels);
  routes_begin_ = routes.data();
  routes_end_ = routes.data() + routes.size();
}

std::uint32_t ExchangeMetrics::labels_for(const Route* route, const Backend* backend) {
  if (!route) return 0;
  if (route >= routes_begin_ && route < routes_end_) {
    std::uint32_t& cached = route_labels_[static_cast<std::size_t>(route - routes_begin_)];
    if (cached == unknown_labels) cached = intern_labels(route, backend);
    return cached;
  }
  // An exchange that started on an older snapshot: look its labels up.
  return intern_labels(route, backend);
}

std::uint32_t ExchangeMetrics::intern_labels(const Route* route, const Backend* backend) {
  std::string_view host = route->host.empty() ? std::string_view("_") : std::string_view(route->host);
  std::string_view path = route->is_default ? std::string_view("/") : std::string_view(route->path);
  std::string_view service = backend ? std::string_view(backend->service_name) : std::string_view();
  key_scratch_.clear();
  for (std::string_view part : {std::string_view(route->ingress_namespace), std::string_view(route->ingress_name),
                                service, host}) {
    key_scratch_ += part;
    key_scratch_ += '\x1f';
  }
  key_scratch_ += path;
  if (auto it = labels_by_key_.find(std::string_view(key_scratch_)); it != labels_by_key_.end()) return it->second;
  RouteLabels* l = labels_.prepare();
  if (!l) return 0;  // absurdly many distinct routes: count them as unrouted
  *l = RouteLabels{route->ingress_namespace, route->ingress_name, std::string(service), std::string(host),
                   std::string(path)};
  const auto index = static_cast<std::uint32_t>(labels_.publish());
  labels_by_key_.emplace(key_scratch_, index);
  return index;
}

std::uint16_t ExchangeMetrics::method_id(std::string_view method) {
  const std::size_t n = methods_.size();
  for (std::size_t i = 1; i < n; ++i)
    if (methods_.at(i) == method) return static_cast<std::uint16_t>(i);
  std::string* slot = methods_.prepare();
  if (!slot) return 0;
  *slot = method;
  return static_cast<std::uint16_t>(methods_.publish());
}

void ExchangeMetrics::grow_index() {
  std::vector<std::uint64_t> keys(index_keys_.size() * 2, empty_key);
  std::vector<std::uint32_t> values(index_values_.size() * 2, 0);
  const std::size_t mask = keys.size() - 1;
  for (std::size_t i = 0; i < index_keys_.size(); ++i) {
    if (index_keys_[i] == empty_key) continue;
    std::size_t s = slot_of(index_keys_[i], mask);
    while (keys[s] != empty_key) s = (s + 1) & mask;
    keys[s] = index_keys_[i];
    values[s] = index_values_[i];
  }
  index_keys_.swap(keys);
  index_values_.swap(values);
}

Series* ExchangeMetrics::find_or_add(std::uint64_t key) {
  std::size_t mask = index_keys_.size() - 1;
  std::size_t s = slot_of(key, mask);
  while (index_keys_[s] != empty_key) {
    if (index_keys_[s] == key) return &series_.at(index_values_[s]);
    s = (s + 1) & mask;
  }
  Series* fresh = series_.prepare();
  if (!fresh) return nullptr;
  fresh->labels = static_cast<std::uint32_t>(key >> 32);
  fresh->method = static_cast<std::uint16_t>(key >> 16);
  fresh->status = static_cast<std::uint16_t>(key);
  const auto index = static_cast<std::uint32_t>(series_.publish());
  index_keys_[s] = key;
  index_values_[s] = index;
  if (++index_used_ * 10 > index_keys_.size() * 7) grow_index();
  return fresh;
}

void ExchangeMetrics::observe(const ExchangeRecord& r) {
  const std::uint32_t labels = labels_for(r.route, r.backend);
  const std::uint16_t method = method_id(r.method.empty() ? std::string_view("OTHER") : std::string_view(r.method));
  Series* s = find_or_add(series_key(labels, method, r.status));
  if (!s) {
    bump(overflow_);
    return;
  }
  bump(s->requests);
  const ExchangeRecord::steady::time_point none{};
  if (r.start != none && r.end >= r.start) s->request_duration.observe(seconds(r.end - r.start), time_buckets);
  if (r.upstream_start != none) {
    if (r.end >= r.upstream_start) s->response_duration.observe(seconds(r.end - r.upstream_start), time_buckets);
    if (r.upstream_header != none && r.upstream_header >= r.upstream_start)
      s->header_duration.observe(seconds(r.upstream_header - r.upstream_start), time_buckets);
  }
  s->request_size.observe(static_cast<double>(r.request_bytes), length_buckets);
  s->response_size.observe(static_cast<double>(r.response_bytes), length_buckets);
}

}  // namespace sluice::metrics
