// What one exchange did, filled in as it runs and handed to the worker when
// it ends: the single source for metrics and the access log.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/model/route_table.h"
#include "proxy/http/local_reply.h"

namespace sluice {

// worker-confined. One per connection, reused: its strings keep their
// capacity, so filling it allocates nothing once warm.
struct ExchangeRecord {
  using steady = std::chrono::steady_clock;

  std::chrono::system_clock::time_point start_wall{};
  steady::time_point start{};            // first byte of the request
  steady::time_point upstream_start{};   // connect or pooled connection taken
  steady::time_point upstream_header{};  // response head received
  steady::time_point end{};

  std::string_view client_ip;            // owned by the connection
  std::string_view request_id;           // owned by the connection
  std::string_view method;               // llhttp's static name for it
  std::string target;
  std::string host;
  std::string user_agent;
  std::string referer;
  std::uint8_t http_minor = 1;
  bool tls = false;

  int status = 0;                        // sent to the client (0: none)
  int upstream_status = 0;               // received from the backend (0: none)
  std::string_view upstream_address;     // the endpoint's name (pinned snapshot) or the connection's copy
  std::uint64_t request_bytes = 0;       // head and body received from the client
  std::uint64_t response_bytes = 0;      // head and body sent to the client
  ProxyError error = ProxyError::none;

  // Valid only during Worker::observe (the exchange pins the snapshot).
  const Route* route = nullptr;
  const Backend* backend = nullptr;

  void reset() {
    start_wall = {};
    start = upstream_start = upstream_header = end = {};
    method = {};
    target.clear();
    host.clear();
    user_agent.clear();
    referer.clear();
    http_minor = 1;
    status = upstream_status = 0;
    upstream_address = {};
    request_bytes = response_bytes = 0;
    error = ProxyError::none;
    route = nullptr;
    backend = nullptr;
  }
};

}  // namespace sluice
