// RouteTable::match at 10, 1,000, 10,000 and 100,000 rules: exact host hits,
// one-label wildcard hits, deep Prefix paths and misses. The lookup hashes
// the request's own host and path segments, so its cost should not grow with
// the number of rules (target: 100,000 rules within 1.5x of 10).
//
// Each benchmark cycles through 1,024 request keys spread over the whole
// table (a realistic "many active hosts" working set), so a big table is not
// flattered by hitting one hot bucket.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/model/route_table.h"

namespace {

using sluice::Backend;
using sluice::PathMatch;
using sluice::Route;
using sluice::RouteTable;
using sluice::RouteTableBuilder;

constexpr std::size_t key_count = 1024;

// Half the rules are exact hosts (Prefix "/"), a quarter one-label wildcard
// hosts, a quarter deep Prefix paths spread over 16 hosts. Every rule has its
// own backend name, so 100,000 rules also means 100,000 backends.
struct Table {
  std::shared_ptr<const RouteTable> table;
  std::vector<std::string> exact_hosts;
  std::vector<std::string> wildcard_domains;
  std::vector<std::pair<std::string, std::string>> deep;  // host, prefix
};

Table make_table(std::size_t rules) {
  Table t;
  RouteTableBuilder b;
  auto add = [&](std::string host, std::string path, std::size_t i) {
    Backend backend;
    backend.name = "bench/svc-" + std::to_string(i) + ":80";
    backend.service_namespace = "bench";
    backend.service_name = "svc-" + std::to_string(i);
    backend.service_port = "80";
    Route r;
    r.host = std::move(host);
    r.path = std::move(path);
    r.match = PathMatch::prefix;
    r.backend = b.add_backend(std::move(backend));
    r.ingress_namespace = "bench";
    r.ingress_name = "ing-" + std::to_string(i);
    b.add_route(std::move(r));
  };
  const std::size_t exact = std::max<std::size_t>(1, rules / 2);
  const std::size_t wildcard = std::max<std::size_t>(1, rules / 4);
  const std::size_t deep = std::max<std::size_t>(1, rules - exact - wildcard);
  for (std::size_t i = 0; i < exact; ++i) {
    t.exact_hosts.push_back("app-" + std::to_string(i) + ".bench.example.com");
    add(t.exact_hosts.back(), "/", i);
  }
  for (std::size_t i = 0; i < wildcard; ++i) {
    t.wildcard_domains.push_back("tenant-" + std::to_string(i) + ".bench.example.com");
    add("*." + t.wildcard_domains.back(), "/", exact + i);
  }
  for (std::size_t i = 0; i < deep; ++i) {
    std::string host = "deep-" + std::to_string(i % 16) + ".bench.example.com";
    std::string prefix = "/api/v1/namespaces/ns-" + std::to_string(i) + "/items";
    t.deep.emplace_back(host, prefix);
    add(host, prefix, exact + wildcard + i);
  }
  t.table = std::move(b).build(1);
  return t;
}

// Tables are built once per size and shared by every benchmark of that size.
const Table& table_of(std::size_t rules) {
  static std::map<std::size_t, Table> tables;
  auto it = tables.find(rules);
  if (it == tables.end()) it = tables.emplace(rules, make_table(rules)).first;
  return it->second;
}

struct Key {
  std::string host;
  std::string path;
};

template <typename Pick>
std::vector<Key> keys(std::size_t n, Pick pick) {
  std::mt19937 rng(42);
  std::vector<Key> out;
  out.reserve(key_count);
  for (std::size_t i = 0; i < key_count; ++i) out.push_back(pick(std::uniform_int_distribution<std::size_t>(0, n - 1)(rng)));
  return out;
}

void run(benchmark::State& state, const RouteTable& table, const std::vector<Key>& ks, bool expect_hit) {
  std::size_t i = 0;
  std::size_t misses = 0;
  for (auto _ : state) {
    const Key& k = ks[i++ & (key_count - 1)];
    auto m = table.match(k.host, k.path);
    benchmark::DoNotOptimize(m);
    misses += m.route == nullptr;
  }
  if (expect_hit && misses) state.SkipWithError("a lookup that should hit missed");
  if (!expect_hit && misses != static_cast<std::size_t>(state.iterations())) state.SkipWithError("a lookup that should miss hit");
  state.counters["rules"] = static_cast<double>(table.routes().size());
}

// Host header as browsers send it (with a port), path with a query string.
void BM_Lookup_ExactHost(benchmark::State& state) {
  const Table& t = table_of(static_cast<std::size_t>(state.range(0)));
  auto ks = keys(t.exact_hosts.size(), [&](std::size_t j) {
    return Key{t.exact_hosts[j] + ":8080", "/static/js/app.3f9c2b.js?v=12"};
  });
  run(state, *t.table, ks, true);
}

void BM_Lookup_WildcardHost(benchmark::State& state) {
  const Table& t = table_of(static_cast<std::size_t>(state.range(0)));
  auto ks = keys(t.wildcard_domains.size(), [&](std::size_t j) {
    return Key{"www." + t.wildcard_domains[j], "/index.html"};
  });
  run(state, *t.table, ks, true);
}

// Eight segments below the rule's prefix: the lookup walks back segment by segment.
void BM_Lookup_DeepPrefix(benchmark::State& state) {
  const Table& t = table_of(static_cast<std::size_t>(state.range(0)));
  auto ks = keys(t.deep.size(), [&](std::size_t j) {
    return Key{t.deep[j].first, t.deep[j].second + "/item-42/versions/7/files/a/b/c/d/readme.txt"};
  });
  run(state, *t.table, ks, true);
}

// The same request every time: what the lookup costs when the table's memory
// is in cache. Flat here and growing above means the growth is memory latency.
void BM_Lookup_DeepPrefix_OneKey(benchmark::State& state) {
  const Table& t = table_of(static_cast<std::size_t>(state.range(0)));
  auto ks = keys(1, [&](std::size_t) {
    const auto& d = t.deep[t.deep.size() / 2];
    return Key{d.first, d.second + "/item-42/versions/7/files/a/b/c/d/readme.txt"};
  });
  run(state, *t.table, ks, true);
}

// An unknown host and no catch-all rule: 404.
void BM_Lookup_Miss(benchmark::State& state) {
  const Table& t = table_of(static_cast<std::size_t>(state.range(0)));
  auto ks = keys(t.exact_hosts.size(), [&](std::size_t j) {
    return Key{"unknown-" + std::to_string(j) + ".example.org", "/a/b/c"};
  });
  run(state, *t.table, ks, false);
}

#define RULE_COUNTS Arg(10)->Arg(1000)->Arg(10000)->Arg(100000)
BENCHMARK(BM_Lookup_ExactHost)->RULE_COUNTS;
BENCHMARK(BM_Lookup_WildcardHost)->RULE_COUNTS;
BENCHMARK(BM_Lookup_DeepPrefix)->RULE_COUNTS;
BENCHMARK(BM_Lookup_DeepPrefix_OneKey)->RULE_COUNTS;
BENCHMARK(BM_Lookup_Miss)->RULE_COUNTS;

}  // namespace

BENCHMARK_MAIN();
