// What a worker remembers about one backend across snapshots: the load
// balancer's cursor and each endpoint's passive health.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

namespace sluice {

// worker-confined. Shared (by pointer) between the BackendStates of
// successive snapshots while the endpoint's address stays in its backend,
// so an exchange on an older snapshot reports to the same marks.
struct EndpointHealth {
  using clock = std::chrono::steady_clock;
  std::uint32_t consecutive_failures = 0;
  clock::time_point ejected_until{};  // in the past: not ejected
  std::uint64_t ejections = 0;

  bool ejected(clock::time_point now) const { return now < ejected_until; }
};

// worker-confined. One per backend name and endpoint list; `health[i]`
// belongs to the Backend's endpoints[i] of every snapshot that holds this
// state, which is why a changed endpoint list gets a new BackendState.
struct BackendState {
  std::vector<boost::asio::ip::tcp::endpoint> addresses;  // the endpoint list it was made for
  std::vector<std::shared_ptr<EndpointHealth>> health;    // by endpoint index
  std::uint32_t cursor = 0;                               // round robin: the next index to try
  std::uint64_t panic_picks = 0;                          // picks made with every candidate ejected
};

// worker-confined writes, read by the admin thread at scrape time (see
// WorkerStats for why relaxed atomics).
struct UpstreamHealthCounters {
  std::atomic<std::uint64_t> ejections{0};
  std::atomic<std::uint64_t> panic_picks{0};
};

}  // namespace sluice
