// A worker's metrics shard: series by route labels, method and status.
#include <catch2/catch.hpp>

#include "tests/unit/backend_fixture.h"

#include <map>
#include <thread>
#include <utility>
#include <vector>

#include "proxy/observe/metrics/exchange_metrics.h"
#include "proxy/observe/metrics/process_stats.h"

using namespace sluice;
using namespace sluice::metrics;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const RouteTable> demo_table(std::uint64_t generation) {
  RouteTableBuilder b;
  auto d = test::add_dev_route_for_test(b, test::service_backend_for_test("default", "dev", "80"));
  b.add_route({.host = "dev", .path = "/", .match = PathMatch::prefix, .backend = d,
               .ingress_namespace = "default", .ingress_name = "tkng-2"});
  return std::move(b).build(generation);
}

ExchangeRecord record(const RouteTable* t, std::size_t route, std::string_view method, int status) {
  ExchangeRecord r;
  r.method = method;
  r.status = status;
  r.start = std::chrono::steady_clock::now();
  r.end = r.start + 30ms;
  r.request_bytes = 15;
  r.response_bytes = 250;
  if (t) {
    r.route = &t->routes()[route];
    r.backend = &t->backends()[r.route->backend];
    r.upstream_start = r.start + 1ms;
    r.upstream_header = r.start + 20ms;
    r.upstream_status = status;
  }
  return r;
}

// "ingress method status" -> requests
std::map<std::string, std::uint64_t> counts(const ExchangeMetrics& m) {
  std::map<std::string, std::uint64_t> out;
  for (std::size_t i = 0; i < m.series_count(); ++i) {
    const Series& s = m.series(i);
    const RouteLabels& l = m.labels(s.labels);
    out[l.ns + "/" + l.ingress + " " + l.host + " " + l.path + " " + l.service + " " + m.method(s.method) + " " +
        std::to_string(s.status)] += s.requests.load();
  }
  return out;
}

}  // namespace

TEST_CASE("exchanges are counted by route labels, method and status", "[metrics]") {
  auto t = demo_table(1);
  ExchangeMetrics m;
  m.on_snapshot(*t);
  m.observe(record(t.get(), 0, "GET", 200));
  m.observe(record(t.get(), 0, "GET", 200));
  m.observe(record(t.get(), 0, "POST", 200));
  m.observe(record(t.get(), 1, "GET", 503));
  m.observe(record(nullptr, 0, "GET", 404));
  CHECK(counts(m) == std::map<std::string, std::uint64_t>{
                         {"/ _   GET 404", 1},
                         {"default/tkng-1 _ /dev dev GET 200", 2},
                         {"default/tkng-1 _ /dev dev POST 200", 1},
                         {"default/tkng-2 dev / dev GET 503", 1},
                     });
}

TEST_CASE("histograms put each observation in its bucket and add to the sum", "[metrics]") {
  auto t = demo_table(1);
  ExchangeMetrics m;
  m.on_snapshot(*t);
  m.observe(record(t.get(), 0, "GET", 200));
  REQUIRE(m.series_count() == 1);
  const Series& s = m.series(0);
  CHECK(s.request_duration.count() == 1);
  CHECK(s.request_duration.buckets[3].load() == 1);  // 30 ms: over 0.025, within 0.05
  CHECK(s.request_duration.sum.load() == Approx(0.030));
  CHECK(s.header_duration.buckets[2].load() == 1);   // 19 ms: within 0.025
  CHECK(s.response_duration.buckets[3].load() == 1); // 29 ms
  CHECK(s.request_size.buckets[1].load() == 1);      // 15 bytes: within 20
  CHECK(s.response_size.buckets[10].load() == 1);    // 250 bytes: above every bound
}

TEST_CASE("a histogram bucket holds values up to and including its bound", "[metrics]") {
  constexpr std::array<double, 3> bounds{1, 2, 4};
  const std::vector<std::pair<double, std::size_t>> cases{
      {-1, 0}, {0, 0}, {1, 0}, {1.5, 1}, {2, 1}, {3, 2}, {4, 2}, {4.01, 3}, {1e9, 3}};
  for (const auto& [value, bucket] : cases) {
    INFO(value);
    Histogram<3> h;
    h.observe(value, bounds);
    CHECK(h.buckets[bucket].load() == 1);
    CHECK(h.count() == 1);
    CHECK(h.sum.load() == value);
  }
}

TEST_CASE("a 404 has no upstream histograms", "[metrics]") {
  ExchangeMetrics m;
  m.observe(record(nullptr, 0, "GET", 404));
  REQUIRE(m.series_count() == 1);
  CHECK(m.series(0).response_duration.count() == 0);
  CHECK(m.series(0).header_duration.count() == 0);
  CHECK(m.series(0).request_duration.count() == 1);
}

TEST_CASE("counts continue across snapshots, including exchanges that started on an older one",
          "[metrics]") {
  auto first = demo_table(1);
  auto second = demo_table(2);
  ExchangeMetrics m;
  m.on_snapshot(*first);
  m.observe(record(first.get(), 0, "GET", 200));
  m.on_snapshot(*second);
  m.observe(record(first.get(), 0, "GET", 200));   // in flight across the swap
  m.observe(record(second.get(), 0, "GET", 200));
  CHECK(counts(m) == std::map<std::string, std::uint64_t>{{"default/tkng-1 _ /dev dev GET 200", 3}});
  CHECK(m.series_count() == 1);
}

TEST_CASE("a reader thread sees consistent series while the worker adds new ones", "[metrics]") {
  auto t = demo_table(1);
  ExchangeMetrics m;
  m.on_snapshot(*t);
  constexpr int statuses = 400;
  std::atomic<bool> done{false};
  std::atomic<bool> torn{false};  // Catch2 assertions are not thread-safe
  std::thread reader([&] {
    while (!done.load()) {
      for (std::size_t i = 0; i < m.series_count(); ++i) {
        const Series& s = m.series(i);
        if (m.labels(s.labels).ingress != "tkng-1" || m.method(s.method) != "GET" || s.status < 100) torn = true;
      }
    }
  });
  for (int i = 0; i < statuses; ++i) m.observe(record(t.get(), 0, "GET", 100 + i));
  done = true;
  reader.join();
  CHECK_FALSE(torn.load());
  CHECK(m.series_count() == statuses);
  CHECK(m.overflow() == 0);
}

TEST_CASE("/proc/self/stat fields become CPU seconds, memory and start time", "[metrics]") {
  // pid (comm with ) and spaces) state ppid ... utime=14 stime=15 ... threads=20 ... start=22 vsize=23 rss=24
  std::string stat = "42 (a) b) c) S";
  for (int field = 4; field <= 30; ++field) {
    std::uint64_t v = 0;
    switch (field) {
      case 14: v = 250; break;
      case 15: v = 50; break;
      case 20: v = 6; break;
      case 22: v = 1000; break;
      case 23: v = 123456789; break;
      case 24: v = 10; break;
      default: v = 7;
    }
    stat += " " + std::to_string(v);
  }
  auto s = parse_proc_stat(stat, 100, 4096, 1'700'000'000.0);
  REQUIRE(s);
  CHECK(s->cpu_seconds == Approx(3.0));
  CHECK(s->threads == 6);
  CHECK(s->start_time_seconds == Approx(1'700'000'010.0));
  CHECK(s->virtual_bytes == 123456789);
  CHECK(s->resident_bytes == 40960);
  CHECK_FALSE(parse_proc_stat("garbage", 100, 4096, 0));
  auto self = read_process_stats();  // /proc is there on Linux
  REQUIRE(self);
  CHECK(self->cpu_seconds > 0);  // nanoseconds, not 10 ms ticks that read 0 at first
}
