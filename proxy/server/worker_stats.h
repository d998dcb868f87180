// Per-worker counters: plain integers written by one thread only, summed by
// the admin listener when it is asked (a torn read costs one scrape nothing).
#pragma once

#include <atomic>
#include <cstdint>

#include "proxy/http/local_reply.h"
#include "proxy/upstream/backend_state.h"

namespace sluice {

// worker-confined writes; any thread reads (relaxed atomics compile to plain
// loads and stores on x86, and no other worker ever touches them).
struct WorkerStats {
  std::atomic<std::uint64_t> requests{0};
  std::atomic<std::uint64_t> responses_by_class[6]{};  // 1xx..5xx at [1..5]
  std::atomic<std::uint64_t> connections_accepted{0};
  std::atomic<std::uint64_t> connections_active{0};
  std::atomic<std::uint64_t> max_connections_reached{0};  // times accepting paused at --max-connections
  std::atomic<std::uint64_t> accept_fd_exhausted{0};      // accept(2) failures for want of a descriptor
  // nginx's connection states; "writing" is the rest of the active ones.
  std::atomic<std::uint64_t> connections_reading{0};  // a request head is arriving
  std::atomic<std::uint64_t> connections_waiting{0};  // idle, no byte of a request yet
  std::atomic<std::uint64_t> keepalive_requests_reached{0};  // connections ended by --keepalive-requests
  std::atomic<std::uint64_t> tunnels{0};                // upgraded connections (WebSocket) opened
  std::atomic<std::uint64_t> tunnels_active{0};
  std::atomic<std::uint64_t> tunnel_idle_timeouts{0};   // closed by --tunnel-idle-timeout
  std::atomic<std::uint64_t> upstream_connects{0};
  std::atomic<std::uint64_t> upstream_reuses{0};
  std::atomic<std::uint64_t> upstream_connect_failures{0};
  std::atomic<std::uint64_t> upstream_retries{0};  // attempts after the first, stale pooled ones included
  UpstreamHealthCounters upstream_health;          // ejections, panic picks (BackendRuntime)
  std::atomic<std::uint64_t> tls_handshakes{0};
  std::atomic<std::uint64_t> tls_handshake_errors{0};

  // Answers the proxy wrote itself, by what went wrong: every limit and
  // refusal shows here (sluice_local_replies_total{reason}).
  std::atomic<std::uint64_t> local_replies[proxy_error_count]{};

  static void bump(std::atomic<std::uint64_t>& c, std::int64_t by = 1) {
    c.store(c.load(std::memory_order_relaxed) + static_cast<std::uint64_t>(by),
            std::memory_order_relaxed);
  }
};

}  // namespace sluice
