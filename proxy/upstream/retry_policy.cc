// RetryState: nginx's proxy_next_upstream rules over an Error and the facts
// of the attempt (ngx_http_upstream_next in ngx_http_upstream.c).
#include "proxy/upstream/retry_policy.h"

namespace sluice {

bool RetryState::stale(const Error& error, const AttemptFacts& facts) {
  return facts.reused && !facts.response_started &&
         (error.kind == ErrorKind::reset_before_response || error.kind == ErrorKind::write_failed);
}

bool RetryState::marks_endpoint(const Error& error, const AttemptFacts& facts) {
  switch (error.kind) {
    case ErrorKind::connect_failed:
    case ErrorKind::connect_timeout:
      return true;
    case ErrorKind::reset_before_response:
    case ErrorKind::write_failed:
      return !stale(error, facts);
    default:
      return false;
  }
}

// The condition that covers the error, and whether sending the request
// again is safe: a request nothing of which reached the backend always is;
// one that did only when its method is idempotent and its body can be sent
// again (nginx refuses POST, LOCK and PATCH once sent, unless told).
bool RetryState::allows(const Error& error, const AttemptFacts& facts) const {
  const auto c = policy_->conditions;
  switch (error.kind) {
    case ErrorKind::connect_failed: return c & RetryPolicy::on_error;
    case ErrorKind::connect_timeout: return c & RetryPolicy::on_timeout;
    case ErrorKind::write_failed:
    case ErrorKind::reset_before_response:
      if (!(c & RetryPolicy::on_error)) return false;
      break;
    case ErrorKind::read_timeout:
      if (!(c & RetryPolicy::on_timeout)) return false;
      break;
    default:
      return false;
  }
  if (!facts.request_sent) return true;
  return facts.replayable && (facts.idempotent || (c & RetryPolicy::on_non_idempotent));
}

bool RetryState::within_bounds(const AttemptFacts& facts) const {
  return policy_->timeout.count() == 0 || facts.elapsed < policy_->timeout;
}

RetryDecision RetryState::next(const Error& error, const AttemptFacts& facts) {
  if (!error.retryable || facts.response_started || !within_bounds(facts)) return RetryDecision::stop;
  // A stale pooled connection gets a fresh one without spending a try, as
  // nginx gives a cached connection's failure its try back; bounded by
  // `tries` all the same, so a pool of dead connections cannot loop.
  if (stale(error, facts)) {
    if (!facts.idempotent || !facts.replayable) return RetryDecision::stop;
    if (policy_->tries != 0 && stale_ >= policy_->tries) return RetryDecision::stop;
    ++stale_;
    return RetryDecision::fresh_connection;
  }
  ++attempts_;
  if (policy_->tries != 0 && attempts_ >= policy_->tries) return RetryDecision::stop;
  return allows(error, facts) ? RetryDecision::next_endpoint : RetryDecision::stop;
}

}  // namespace sluice
