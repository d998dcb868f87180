// Exchange, upstream_request phase: the endpoint of each attempt, health
// marks and the retry policy. No I/O: the codec connects and reports.
#include "proxy/http/exchange.h"

namespace sluice {

std::uint32_t Exchange::first_endpoint(const Backend& backend, std::uint32_t backend_index) {
  first_attempt_ = pick_.now = std::chrono::steady_clock::now();
  backend_state_ = backend.is_external() ? nullptr : snapshot_.backend_state(backend_index);
  // Never empty here: decide() answers 503 for a backend without endpoints.
  const auto picked = backend_state_ ? services_.backends.pick(backend, *backend_state_, pick_) : std::nullopt;
  endpoint_ = picked ? *picked : 0;
  return endpoint_;
}

void Exchange::attempt_succeeded() {
  if (backend_state_) services_.backends.report_success(*backend_state_, endpoint_);
}

RetryDecision Exchange::retry(const Backend& backend, const Error& error, AttemptFacts facts) {
  const auto now = std::chrono::steady_clock::now();
  facts.elapsed = now - first_attempt_;
  if (backend_state_ && RetryState::marks_endpoint(error, facts)) {
    services_.backends.report_failure(backend, *backend_state_, endpoint_, now);
  } else if (backend_state_ && error.kind == ErrorKind::after_response) {
    services_.backends.report_success(*backend_state_, endpoint_);  // it answered; the client went away
  }
  const RetryDecision decision = retry_.next(error, facts);
  if (decision != RetryDecision::next_endpoint) return decision;
  if (!backend_state_) return RetryDecision::stop;  // an ExternalName has one address
  pick_.tried.insert(endpoint_);
  pick_.now = now;
  const auto picked = services_.backends.pick(backend, *backend_state_, pick_);
  if (!picked) return RetryDecision::stop;  // every endpoint was tried
  endpoint_ = *picked;
  return decision;
}

}  // namespace sluice
