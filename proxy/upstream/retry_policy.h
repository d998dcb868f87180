// When an exchange tries again after a failed upstream attempt, and where:
// one policy for connect failures, resets and stale pooled connections.
#pragma once

#include <chrono>
#include <cstdint>

#include "common/model/policy.h"
#include "proxy/upstream/error.h"

namespace sluice {

// any thread (immutable). ingress-nginx's defaults: proxy-next-upstream
// "error timeout", proxy-next-upstream-tries 3, proxy-next-upstream-timeout 0
// (internal/ingress/controller/config/config.go), i.e. nginx's
// proxy_next_upstream, proxy_next_upstream_tries, proxy_next_upstream_timeout.
struct RetryPolicy {
  // nginx's proxy_next_upstream conditions (NextUpstream bits, policy.h).
  // The http_* and invalid_header ones are accepted from the annotation but
  // not acted on: a response head is relayed as it comes.
  static constexpr std::uint16_t on_error = next_on_error;        // connect failure, reset, write failure
  static constexpr std::uint16_t on_timeout = next_on_timeout;    // connect or response-head timeout
  static constexpr std::uint16_t on_non_idempotent = next_on_non_idempotent;  // also POST, PATCH, ... once sent
  static constexpr std::uint32_t default_tries = 3;

  std::uint32_t tries = default_tries;            // attempts in all, the first included; 0: no bound
  std::chrono::milliseconds timeout{0};           // since the first attempt; 0: no bound
  std::uint16_t conditions = on_error | on_timeout;

  // A route's proxy-next-upstream(-tries, -timeout).
  static RetryPolicy from(const UpstreamPolicy& u) {
    return {u.next_upstream_tries, u.next_upstream_timeout, u.next_upstream};
  }
};

// any thread (a value). What the exchange knows about the attempt that failed.
struct AttemptFacts {
  bool idempotent = false;        // GET HEAD OPTIONS PUT DELETE TRACE, as nginx
  bool replayable = false;        // the request (body included) can be sent again
  bool request_sent = false;      // any request byte was written upstream
  bool response_started = false;  // any response byte reached the client
  bool reused = false;            // the connection came from the pool
  std::chrono::steady_clock::duration elapsed{};  // since the first attempt began
};

enum class RetryDecision : std::uint8_t {
  stop,              // answer with the error
  fresh_connection,  // same endpoint, a new connection: the pooled one was stale
  next_endpoint,     // another endpoint (the load balancer picks it)
};

// worker-confined. One per exchange, on the exchange's stack: no allocation.
class RetryState {
 public:
  explicit RetryState(const RetryPolicy& policy) : policy_(&policy) {}

  // Called once per failed attempt; counts it.
  RetryDecision next(const Error& error, const AttemptFacts& facts);

  // Whether the failure counts against the endpoint's health: connect
  // failures and resets, but not a pooled connection the backend closed
  // while it was idle (that is the pool's staleness, not the endpoint's).
  static bool marks_endpoint(const Error& error, const AttemptFacts& facts);
  // The reset of a pooled connection before anything came back.
  static bool stale(const Error& error, const AttemptFacts& facts);

  std::uint32_t attempts() const { return attempts_; }

 private:
  bool allows(const Error& error, const AttemptFacts& facts) const;
  bool within_bounds(const AttemptFacts& facts) const;

  const RetryPolicy* policy_;
  std::uint32_t attempts_ = 0;  // failed attempts that counted against `tries`
  std::uint32_t stale_ = 0;     // stale pooled connections retried
};

}  // namespace sluice
