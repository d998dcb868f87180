// The client-side timeouts and limits for the next request on a
// connection: the flags, with the ConfigMap's keep-alive,
// keep-alive-requests, client-header-timeout and client-body-timeout over
// them when the current snapshot has them. Read as each request starts, so
// a ConfigMap change applies from the next request of every connection.
#pragma once

#include <chrono>
#include <cstdint>

#include "common/model/route_table.h"
#include "proxy/proxy_config.h"

namespace sluice {

// worker-confined (a copy per connection)
struct ConnectionLimits {
  std::chrono::milliseconds keepalive_timeout;
  std::chrono::milliseconds client_header_timeout;
  std::chrono::milliseconds client_body_timeout;
  std::uint64_t keepalive_requests;
};

inline ConnectionLimits connection_limits(const ProxyConfig& c, const RouteTable* table) {
  ConnectionLimits l{c.keepalive_timeout, c.client_header_timeout, c.client_body_timeout, c.keepalive_requests};
  if (!table || !table->settings().from_configmap) return l;
  const ProxySettings& s = table->settings();
  l.keepalive_timeout = s.keepalive_timeout.value_or(l.keepalive_timeout);
  l.client_header_timeout = s.client_header_timeout.value_or(l.client_header_timeout);
  l.client_body_timeout = s.client_body_timeout.value_or(l.client_body_timeout);
  l.keepalive_requests = s.keepalive_requests.value_or(l.keepalive_requests);
  return l;
}

}  // namespace sluice
