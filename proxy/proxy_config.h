// Limits and timeouts of the data plane, each with its default beside it.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace sluice {

using std::chrono::milliseconds;

// any thread (immutable after start-up)
struct ProxyConfig {
  static constexpr std::size_t default_max_header_bytes = 32 * 1024;
  // HAProxy's tune.http.maxhdr is 101 with the start line; nginx bounds
  // fields only by its buffers. At most max_header_fields (128).
  static constexpr std::size_t default_max_header_fields = 100;
  // nginx's large_client_header_buffers (8k) bound a request line; over it, 414.
  static constexpr std::size_t default_max_request_line_bytes = 8 * 1024;
  static constexpr milliseconds default_client_header_timeout{10'000};
  static constexpr milliseconds default_client_body_timeout{60'000};
  static constexpr milliseconds default_keepalive_timeout{75'000};
  static constexpr milliseconds default_upstream_connect_timeout{5'000};
  static constexpr milliseconds default_upstream_read_timeout{60'000};
  static constexpr milliseconds default_downstream_write_timeout{60'000};
  static constexpr milliseconds default_drain_timeout{30'000};
  static constexpr std::size_t default_idle_upstreams_per_endpoint = 1024;
  // ingress-nginx's keep-alive-requests (nginx's keepalive_requests).
  static constexpr std::uint64_t default_keepalive_requests = 1000;
  // ingress-nginx's max-worker-connections (nginx's worker_connections).
  static constexpr std::size_t default_max_connections = 16384;
  // nginx's max_fails and fail_timeout defaults are 1 and 10s; 3 is
  // Envoy's and HAProxy's taste: one refused connect is not an outage.
  static constexpr std::uint32_t default_upstream_max_fails = 3;
  static constexpr milliseconds default_upstream_fail_timeout{10'000};
  // HAProxy's `timeout tunnel` as users set it for WebSockets.
  static constexpr milliseconds default_tunnel_idle_timeout{3'600'000};

  std::size_t max_header_bytes = default_max_header_bytes;  // over it: 431
  std::size_t max_header_fields = default_max_header_fields;  // over it: 431
  std::size_t max_request_line_bytes = default_max_request_line_bytes;  // over it: 414
  std::uint64_t max_body_bytes = 0;                         // over it: 413; 0 = no limit
  milliseconds client_header_timeout = default_client_header_timeout;  // then 408
  milliseconds client_body_timeout = default_client_body_timeout;      // between body reads
  milliseconds keepalive_timeout = default_keepalive_timeout;          // idle between requests
  milliseconds upstream_connect_timeout = default_upstream_connect_timeout;  // then 502
  milliseconds upstream_read_timeout = default_upstream_read_timeout;        // then 504
  milliseconds downstream_write_timeout = default_downstream_write_timeout;
  milliseconds drain_timeout = default_drain_timeout;  // SIGTERM grace period
  std::size_t idle_upstreams_per_endpoint = default_idle_upstreams_per_endpoint;
  // Consecutive connect failures or resets that eject an endpoint (0: never),
  // and for how long it is then skipped.
  std::uint32_t upstream_max_fails = default_upstream_max_fails;
  milliseconds upstream_fail_timeout = default_upstream_fail_timeout;
  // The response to the last one says `Connection: close`; 0 and 1 both
  // mean one request per connection, as for nginx.
  std::uint64_t keepalive_requests = default_keepalive_requests;
  std::size_t max_connections = default_max_connections;  // client connections per worker
  milliseconds tunnel_idle_timeout = default_tunnel_idle_timeout;  // no byte either way (WebSocket)
  bool hsts = false;
  // nginx's underscores_in_headers (ingress-nginx's enable-underscores-in-headers): off drops them.
  bool underscores_in_headers = false;  // Strict-Transport-Security on HTTPS responses
};

}  // namespace sluice
