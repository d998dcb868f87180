// What the RouteTable's host index would gain from an open-addressing hash
// map: the same lookup (transparent string_view keys, 1,024 request keys
// spread over the table) in std::unordered_map (what route_table.h uses
// today) and boost::unordered_flat_map (Boost 1.81, already a dependency),
// plus one hot key, which separates the algorithm (flat) from memory latency
// (what grows with the table).
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include "common/model/route_table.h"

namespace {

constexpr std::size_t key_count = 1024;

std::string host(std::size_t i) { return "app-" + std::to_string(i) + ".bench.example.com"; }

std::vector<std::string> request_keys(std::size_t n, bool hot) {
  std::mt19937 rng(42);
  std::vector<std::string> keys;
  for (std::size_t i = 0; i < key_count; ++i)
    keys.push_back(host(hot ? n / 2 : std::uniform_int_distribution<std::size_t>(0, n - 1)(rng)));
  return keys;
}

template <typename Map>
void lookup(benchmark::State& state, bool hot) {
  const auto n = static_cast<std::size_t>(state.range(0));
  Map map;
  for (std::size_t i = 0; i < n; ++i) map.emplace(host(i), static_cast<std::uint32_t>(i));
  const auto keys = request_keys(n, hot);
  std::size_t i = 0, found = 0;
  for (auto _ : state) {
    auto it = map.find(std::string_view(keys[i++ & (key_count - 1)]));
    found += it != map.end();
    benchmark::DoNotOptimize(it);
  }
  if (found != static_cast<std::size_t>(state.iterations())) state.SkipWithError("a lookup missed");
}

using StdMap = sluice::StringMap<std::uint32_t>;
using FlatMap = boost::unordered_flat_map<std::string, std::uint32_t, sluice::TransparentHash,
                                          sluice::TransparentEqual>;

void BM_StdUnorderedMap_Spread(benchmark::State& s) { lookup<StdMap>(s, false); }
void BM_FlatMap_Spread(benchmark::State& s) { lookup<FlatMap>(s, false); }
void BM_StdUnorderedMap_HotKey(benchmark::State& s) { lookup<StdMap>(s, true); }
void BM_FlatMap_HotKey(benchmark::State& s) { lookup<FlatMap>(s, true); }

#define SIZES Arg(10)->Arg(1000)->Arg(10000)->Arg(100000)
BENCHMARK(BM_StdUnorderedMap_Spread)->SIZES;
BENCHMARK(BM_FlatMap_Spread)->SIZES;
BENCHMARK(BM_StdUnorderedMap_HotKey)->SIZES;
BENCHMARK(BM_FlatMap_HotKey)->SIZES;

}  // namespace

BENCHMARK_MAIN();
