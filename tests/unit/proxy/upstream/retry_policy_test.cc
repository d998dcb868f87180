// RetryState as a table: which failed attempts are tried again, and where.
#include <catch2/catch.hpp>

#include "proxy/upstream/retry_policy.h"

using namespace sluice;
using namespace std::chrono_literals;

namespace {

AttemptFacts get_sent() { return {.idempotent = true, .replayable = true, .request_sent = true}; }
AttemptFacts post_sent() { return {.idempotent = false, .replayable = true, .request_sent = true}; }

}  // namespace

TEST_CASE("retry decisions by error and attempt", "[upstream][retry]") {
  struct Case {
    const char* name;
    ErrorKind kind;
    AttemptFacts facts;
    RetryDecision expected;
  };
  AttemptFacts post_not_sent = post_sent();
  post_not_sent.request_sent = false;
  AttemptFacts get_answered = get_sent();
  get_answered.response_started = true;
  AttemptFacts get_streamed = get_sent();
  get_streamed.replayable = false;
  AttemptFacts get_reused = get_sent();
  get_reused.reused = true;
  AttemptFacts post_reused = post_sent();
  post_reused.reused = true;
  const Case cases[] = {
      {"connect refused, GET: next endpoint", ErrorKind::connect_failed, {.idempotent = true},
       RetryDecision::next_endpoint},
      {"connect refused, POST: next endpoint", ErrorKind::connect_failed, post_not_sent, RetryDecision::next_endpoint},
      {"connect timeout, POST: next endpoint", ErrorKind::connect_timeout, post_not_sent,
       RetryDecision::next_endpoint},
      {"reset before response, GET: next endpoint", ErrorKind::reset_before_response, get_sent(),
       RetryDecision::next_endpoint},
      {"reset after its body was sent, POST: stop", ErrorKind::reset_before_response, post_sent(),
       RetryDecision::stop},
      {"write failed, POST: stop", ErrorKind::write_failed, post_sent(), RetryDecision::stop},
      {"read timeout, GET: next endpoint", ErrorKind::read_timeout, get_sent(), RetryDecision::next_endpoint},
      {"read timeout, POST: stop", ErrorKind::read_timeout, post_sent(), RetryDecision::stop},
      {"reset, GET whose body cannot be sent again: stop", ErrorKind::reset_before_response, get_streamed,
       RetryDecision::stop},
      {"bad response head: stop (no invalid_header)", ErrorKind::bad_response, get_sent(), RetryDecision::stop},
      {"dns failure: stop", ErrorKind::dns_failed, get_sent(), RetryDecision::stop},
      {"after response bytes reached the client: stop", ErrorKind::after_response, get_answered,
       RetryDecision::stop},
      {"reset once the response started: stop", ErrorKind::reset_before_response, get_answered,
       RetryDecision::stop},
      {"stale pooled connection, GET: fresh connection", ErrorKind::reset_before_response, get_reused,
       RetryDecision::fresh_connection},
      {"stale pooled connection, POST: stop", ErrorKind::reset_before_response, post_reused, RetryDecision::stop},
  };
  const RetryPolicy policy;
  for (const Case& c : cases) {
    SECTION(c.name) {
      RetryState state(policy);
      CHECK(state.next(classify(c.kind), c.facts) == c.expected);
    }
  }
}

TEST_CASE("ingress-nginx's defaults: error timeout, 3 tries, no time bound", "[upstream][retry]") {
  const RetryPolicy policy;
  CHECK(policy.tries == 3);
  CHECK(policy.timeout == 0ms);
  CHECK(policy.conditions == (RetryPolicy::on_error | RetryPolicy::on_timeout));
}

TEST_CASE("tries bound the attempts, the first included", "[upstream][retry]") {
  const RetryPolicy policy;
  RetryState state(policy);
  const Error refused = classify(ErrorKind::connect_failed);
  CHECK(state.next(refused, {}) == RetryDecision::next_endpoint);
  CHECK(state.next(refused, {}) == RetryDecision::next_endpoint);
  CHECK(state.next(refused, {}) == RetryDecision::stop);  // the third attempt was the last
  CHECK(state.attempts() == 3);
}

TEST_CASE("the total timeout bounds retries", "[upstream][retry]") {
  RetryPolicy policy;
  policy.timeout = 2s;
  RetryState state(policy);
  AttemptFacts facts;
  facts.elapsed = 1s;
  CHECK(state.next(classify(ErrorKind::connect_failed), facts) == RetryDecision::next_endpoint);
  facts.elapsed = 2s;
  CHECK(state.next(classify(ErrorKind::connect_failed), facts) == RetryDecision::stop);
}

TEST_CASE("conditions select what is retried", "[upstream][retry]") {
  RetryPolicy policy;
  policy.conditions = RetryPolicy::on_error;
  RetryState state(policy);
  CHECK(state.next(classify(ErrorKind::connect_timeout), {}) == RetryDecision::stop);
  RetryPolicy with_post;
  with_post.conditions |= RetryPolicy::on_non_idempotent;
  RetryState post(with_post);
  CHECK(post.next(classify(ErrorKind::reset_before_response), post_sent()) == RetryDecision::next_endpoint);
}

TEST_CASE("a stale pooled connection is retried without a try or a health mark", "[upstream][retry]") {
  const RetryPolicy policy;
  RetryState state(policy);
  AttemptFacts reused = get_sent();
  reused.reused = true;
  const Error reset = classify(ErrorKind::reset_before_response);
  CHECK(state.next(reset, reused) == RetryDecision::fresh_connection);
  CHECK_FALSE(RetryState::marks_endpoint(reset, reused));
  CHECK(state.attempts() == 0);
  // The fresh connection is reset too: that is the endpoint's failure.
  CHECK(RetryState::marks_endpoint(reset, get_sent()));
  CHECK(RetryState::marks_endpoint(classify(ErrorKind::connect_failed), {}));
  CHECK_FALSE(RetryState::marks_endpoint(classify(ErrorKind::read_timeout), get_sent()));
  // Stale retries are bounded all the same.
  CHECK(state.next(reset, reused) == RetryDecision::fresh_connection);
  CHECK(state.next(reset, reused) == RetryDecision::fresh_connection);
  CHECK(state.next(reset, reused) == RetryDecision::stop);
}

TEST_CASE("a GET reset on two endpoints is retried once", "[upstream][retry]") {
  // RetryState says "next endpoint"; the load balancer then finds none left
  // (load_balancer_test): with two endpoints that is one retry.
  const RetryPolicy policy;
  RetryState state(policy);
  const Error reset = classify(ErrorKind::reset_before_response);
  CHECK(state.next(reset, get_sent()) == RetryDecision::next_endpoint);
}

TEST_CASE("relay errors map to kinds and keep their local replies", "[upstream][retry]") {
  CHECK(upstream_error(ProxyError::upstream_reset, false, false).kind == ErrorKind::reset_before_response);
  CHECK(upstream_error(ProxyError::upstream_reset, true, false).kind == ErrorKind::bad_response);
  CHECK(upstream_error(ProxyError::upstream_reset, true, false).reply == ProxyError::upstream_reset);
  CHECK(upstream_error(ProxyError::upstream_timeout, false, false).kind == ErrorKind::read_timeout);
  CHECK(upstream_error(ProxyError::upstream_reset, true, true).kind == ErrorKind::after_response);
  CHECK_FALSE(upstream_error(ProxyError::upstream_reset, true, true).retryable);
  CHECK(status_for(classify(ErrorKind::connect_timeout).reply) == 502);
  CHECK(status_for(classify(ErrorKind::read_timeout).reply) == 504);
  CHECK(classify(ErrorKind::connect_failed).source == ErrorSource::upstream);
  CHECK(upstream_error(ProxyError::request_timeout, false, false).source == ErrorSource::downstream);
}
