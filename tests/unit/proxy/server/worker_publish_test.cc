// Worker as a SnapshotSink: tables published on the controller thread reach
// every worker thread by posting. Run under ThreadSanitizer by scripts/test.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <boost/asio/post.hpp>

#include "common/publish/snapshot_publisher.h"
#include "proxy/proxy_config.h"
#include "proxy/server/worker.h"

#include "tests/unit/backend_fixture.h"

using namespace sluice;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<const RouteTable> table(std::uint64_t generation) {
  return test::one_backend_table_for_test(generation);
}

// The generation a worker's slot holds, read on the worker's own thread.
std::uint64_t slot_generation(Worker& w) {
  std::promise<std::uint64_t> seen;
  auto result = seen.get_future();
  boost::asio::post(w.context(), [&] { seen.set_value(w.slot().generation()); });
  return result.wait_for(5s) == std::future_status::ready ? result.get() : 0;
}

}  // namespace

TEST_CASE("tables published from the controller thread reach every worker thread", "[worker]") {
  ProxyConfig config;
  SnapshotPublisher publisher;
  std::vector<std::unique_ptr<Worker>> workers;
  for (unsigned i = 0; i < 3; ++i) {
    workers.push_back(std::make_unique<Worker>(i, config));
    publisher.add_sink(workers.back().get());
  }
  for (auto& w : workers) w->start();

  // An admin thread reads what the publisher and the workers' metrics expose
  // while generations are published.
  std::atomic<bool> done{false};
  std::atomic<bool> went_back{false};  // Catch2 assertions are not thread-safe
  std::thread admin([&] {
    std::uint64_t last = 0;
    while (!done.load()) {
      const std::uint64_t applied = publisher.applied_generation();
      if (applied < last) went_back = true;
      last = applied;
      auto current = publisher.current();
      if (current && current->generation() < applied) went_back = true;
      for (auto& w : workers) (void)w->metrics().series_count();
    }
  });

  constexpr std::uint64_t generations = 200;
  std::atomic<std::uint64_t> callbacks{0};
  for (std::uint64_t g = 1; g <= generations; ++g) publisher.publish(table(g), [&] { ++callbacks; });

  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (callbacks.load() < generations && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(1ms);  // polling a condition with a deadline
  done = true;
  admin.join();

  CHECK(callbacks.load() == generations);
  CHECK(publisher.applied_generation() == generations);
  CHECK_FALSE(went_back.load());
  for (auto& w : workers) CHECK(slot_generation(*w) == generations);
  for (auto& w : workers) w->stop();
  for (auto& w : workers) w->join();
}
