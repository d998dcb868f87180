// A worker's shard of the per-request metrics (ingress-nginx's
// nginx_ingress_controller_requests and its histograms): one series per
// (route labels, method, status), counted by the worker thread alone and
// summed across workers when /metrics is scraped.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/model/route_table.h"
#include "proxy/http/exchange_record.h"
#include "proxy/observe/metrics/append_only_array.h"

namespace sluice::metrics {

// ingress-nginx's defaults (--time-buckets, --length-buckets), so existing
// dashboards and histogram_quantile() queries read the same buckets.
inline constexpr std::array<double, 11> time_buckets{0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                     0.5,   1,    2.5,   5,    10};
inline constexpr std::array<double, 10> length_buckets{10, 20, 30, 40, 50, 60, 70, 80, 90, 100};

// Worker-confined writes (relaxed load + store: one writer), any thread reads.
inline void bump(std::atomic<std::uint64_t>& c, std::uint64_t by = 1) {
  c.store(c.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

template <std::size_t N>
struct Histogram {
  std::array<std::atomic<std::uint64_t>, N + 1> buckets{};  // per bucket; [N] is above every bound
  std::atomic<double> sum{0};

  void observe(double v, const std::array<double, N>& bounds) {
    // Prometheus buckets are "less than or equal". The top bound is tried
    // first: most response sizes are above ingress-nginx's last length
    // bucket (100 bytes), while most durations fall in the first buckets.
    std::size_t i = N;
    if (!(v > bounds[N - 1])) {
      i = 0;
      while (v > bounds[i]) ++i;  // stops at N - 1 at the latest
    }
    bump(buckets[i]);
    sum.store(sum.load(std::memory_order_relaxed) + v, std::memory_order_relaxed);
  }
  std::uint64_t count() const {
    std::uint64_t n = 0;
    for (const auto& b : buckets) n += b.load(std::memory_order_relaxed);
    return n;
  }
};

// The labels a route contributes, as ingress-nginx names them. Immutable
// once published.
struct RouteLabels {
  std::string ns;
  std::string ingress;
  std::string service;
  std::string host;  // the rule's host ("*.x" for wildcards), "_" for none
  std::string path;  // the rule's path, "/" for a default backend
};

// One series. Its key fields are set before publication and never change.
struct Series {
  std::uint32_t labels = 0;   // index into the shard's RouteLabels
  std::uint16_t method = 0;   // index into the shard's method names
  std::uint16_t status = 0;
  std::atomic<std::uint64_t> requests{0};
  Histogram<time_buckets.size()> request_duration;    // first byte in to last byte out
  Histogram<time_buckets.size()> response_duration;   // upstream picked to response end
  Histogram<time_buckets.size()> header_duration;     // upstream picked to response head
  Histogram<length_buckets.size()> request_size;      // bytes received from the client
  Histogram<length_buckets.size()> response_size;     // bytes sent to the client
};

// worker-confined writes (on_snapshot, observe); any thread reads (the
// const accessors), concurrently with writes: a scrape may see one
// exchange's counter but not yet its histogram, never garbage.
// observe() allocates only when it meets a label set for the first time.
class ExchangeMetrics {
 public:
  static constexpr std::size_t max_series = 64 * 1024;
  static constexpr std::size_t max_methods = 64;

  ExchangeMetrics();
  ExchangeMetrics(const ExchangeMetrics&) = delete;
  ExchangeMetrics& operator=(const ExchangeMetrics&) = delete;

  // The worker switched to `table`: from now on observe() finds a route's
  // labels by its index in this table.
  void on_snapshot(const RouteTable& table);
  void observe(const ExchangeRecord& record);

  // Any thread.
  std::size_t series_count() const { return series_.size(); }
  const Series& series(std::size_t i) const { return series_[i]; }
  const RouteLabels& labels(std::uint32_t i) const { return labels_[i]; }
  const std::string& method(std::uint16_t i) const { return methods_[i]; }
  // Exchanges not counted because max_series was reached.
  std::uint64_t overflow() const { return overflow_.load(std::memory_order_relaxed); }

 private:
  std::uint32_t labels_for(const Route* route, const Backend* backend);
  std::uint32_t intern_labels(const Route* route, const Backend* backend);
  std::uint16_t method_id(std::string_view method);
  Series* find_or_add(std::uint64_t key);
  void grow_index();

  AppendOnlyArray<Series, 64, max_series / 64> series_;
  AppendOnlyArray<RouteLabels, 64, 4096> labels_;
  AppendOnlyArray<std::string, max_methods, 1> methods_;
  std::atomic<std::uint64_t> overflow_{0};

  // Worker-thread only.
  StringMap<std::uint32_t> labels_by_key_;  // "ns\x1f" "ingress\x1f" ... -> labels index
  std::string key_scratch_;
  const Route* routes_begin_ = nullptr;  // the current snapshot's routes
  const Route* routes_end_ = nullptr;
  static constexpr std::uint32_t unknown_labels = UINT32_MAX;
  std::vector<std::uint32_t> route_labels_;  // by route index in the current snapshot
  std::vector<std::uint64_t> index_keys_;    // open addressing: series key -> index
  std::vector<std::uint32_t> index_values_;
  std::size_t index_used_ = 0;
};

}  // namespace sluice::metrics
