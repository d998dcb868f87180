// The controller-wide defaults annotations fall back to: ingress-nginx's
// ConfigMap keys (internal/ingress/controller/config/config.go), with its
// defaults. The ConfigMap reader fills one per translation; a group reader
// takes the annotation's value, or else this.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace sluice::controller {

// any thread (immutable once filled)
struct ControllerDefaults {
  bool ssl_redirect = true;                   // ssl-redirect
  int http_redirect_code = 308;               // http-redirect-code
  std::uint64_t proxy_body_size = 1024 * 1024;  // proxy-body-size ("1m"); 0: no limit
  std::uint32_t proxy_connect_timeout_seconds = 5;  // proxy-connect-timeout
  std::uint32_t proxy_send_timeout_seconds = 60;    // proxy-send-timeout
  std::uint32_t proxy_read_timeout_seconds = 60;    // proxy-read-timeout
  std::string proxy_next_upstream = "error timeout";  // proxy-next-upstream
  std::uint32_t proxy_next_upstream_tries = 3;        // proxy-next-upstream-tries
  std::uint32_t proxy_next_upstream_timeout_seconds = 0;  // proxy-next-upstream-timeout; 0: none
  int limit_req_status_code = 503;   // limit-req-status-code
  int limit_conn_status_code = 503;  // limit-conn-status-code
  std::vector<std::string> global_allowed_response_headers;  // for custom-headers
};

}  // namespace sluice::controller
