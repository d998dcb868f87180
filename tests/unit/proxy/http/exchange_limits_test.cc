// The limits group on the request path: decide()'s body-size check (the
// route's proxy-body-size, else the listener's), the route's timeouts and
// proxy-next-upstream reaching the exchange, and limit-rps/limit-connections
// answered in the access phase, after the redirects.
#include <catch2/catch.hpp>

#include "proxy/http/exchange.h"
#include "proxy/proxy_config.h"

using namespace sluice;
using std::chrono::milliseconds;

namespace {

struct NullObserver final : ExchangeObserver {
  std::vector<int> statuses;
  void observe(const ExchangeRecord& r) override { statuses.push_back(r.status); }
};

// big.test: proxy-body-size 0 (none); small.test: 10 bytes; plain.test: no
// policy (the listener's); slow.test: timeouts and retries; limited.test:
// 1 r/m burst 1, 1 connection; redirect.test: the same limits behind ssl-redirect.
std::shared_ptr<const RouteTable> table() {
  RouteTableBuilder b;
  Backend shop{.name = "ns/shop:80"};
  shop.endpoints.push_back(Endpoint{.name = "10.0.0.1:80"});
  shop.endpoints.push_back(Endpoint{.name = "10.0.0.2:80"});
  const auto backend = b.add_backend(shop);
  b.add_route({.host = "big.test", .path = "/", .backend = backend, .policy = b.add_policy({.max_body_bytes = 0})});
  b.add_route({.host = "small.test", .path = "/", .backend = backend, .policy = b.add_policy({.max_body_bytes = 10})});
  b.add_route({.host = "plain.test", .path = "/", .backend = backend});
  UpstreamPolicy slow;
  slow.connect_timeout = milliseconds(1000);
  slow.send_timeout = milliseconds(2000);
  slow.read_timeout = milliseconds(3000);
  slow.next_upstream = next_on_timeout;
  slow.next_upstream_tries = 1;
  b.add_route({.host = "slow.test", .path = "/", .backend = backend, .policy = b.add_policy({.upstream = slow})});
  RateLimitPolicy limits;
  limits.zone = 7;
  limits.rpm = 1;  // a minute to drain one: no test is that slow
  limits.rpm_burst = 1;
  limits.connections = 1;
  b.add_route({.host = "limited.test", .path = "/", .backend = backend,
               .policy = b.add_policy({.rate_limit = limits})});
  b.add_route({.host = "redirect.test", .path = "/", .backend = backend,
               .policy = b.add_policy({.ssl_redirect = true, .rate_limit = limits})});
  return std::move(b).build(1);
}

RequestView post(std::string_view host, std::uint64_t length) {
  return {.method = Method::post, .target = "/", .host = host, .has_body = length > 0, .content_length = length};
}

struct Fixture {
  SnapshotSlot slot;
  ProxyConfig config;
  RequestIdGenerator ids;
  NullObserver observer;
  UpstreamHealthCounters counters;
  BackendRuntime backends{{.max_fails = 0, .fail_timeout = std::chrono::seconds(60)}, counters};
  RetryPolicy retry_policy;
  RateLimiter limiter{64};
  Fixture() {
    auto t = table();
    auto states = backends.rebase(*t);
    slot.replace(std::move(t), std::move(states));
  }
  ExchangeServices services() { return {slot, config, ids, observer, backends, retry_policy, false, &limiter}; }
};

}  // namespace

TEST_CASE("a declared body over the route's limit is a 413 that closes, before the backend", "[decide][limits]") {
  Fixture f;
  struct Row {
    const char* host;
    std::uint64_t length;
    std::uint64_t listener_limit;
    bool refused;
    std::uint64_t limit;  // what the codec counts a chunked body against
  };
  const Row rows[] = {
      {"small.test", 10, 0, false, 10},   {"small.test", 11, 0, true, 10},
      {"small.test", 11, 100, true, 10},  // the route's limit wins over the listener's
      {"big.test", 1u << 30, 5, false, 0},  // 0: none, whatever the listener says
      {"plain.test", 6, 5, true, 5},      // no policy: the listener's
      {"plain.test", 1u << 30, 0, false, 0},
      {"small.test", 0, 0, false, 10},    // chunked (no length): counted as it arrives
  };
  for (const Row& r : rows) {
    INFO(r.host << " " << r.length << " listener " << r.listener_limit);
    ConnectionFacts facts{false, "192.0.2.7"};
    facts.max_body_bytes = r.listener_limit;
    const Decision d = decide(post(r.host, r.length), &f.slot.pin().table(), facts);
    CHECK(d.max_body_bytes == r.limit);
    if (r.refused) {
      CHECK(d.verdict.kind == VerdictKind::respond);
      CHECK(d.verdict.phase == Phase::route);
      CHECK(d.verdict.reply.error == ProxyError::body_too_large);
      CHECK(d.verdict.reply.close);
    } else {
      CHECK(d.verdict.kind == VerdictKind::continue_);
    }
  }
}

TEST_CASE("a route's timeouts and proxy-next-upstream replace the listener's", "[exchange][limits]") {
  Fixture f;
  f.config.upstream_connect_timeout = milliseconds(5);
  f.config.upstream_read_timeout = milliseconds(6);
  Exchange exchange(f.services(), ConnectionFacts{false, "192.0.2.7"});
  exchange.reset();
  REQUIRE(exchange.begin(post("slow.test", 0), {}).verdict.kind == VerdictKind::continue_);
  CHECK(exchange.upstream_timeouts().connect == milliseconds(1000));
  CHECK(exchange.upstream_timeouts().send == milliseconds(2000));
  CHECK(exchange.upstream_timeouts().read == milliseconds(3000));
  const Backend& backend = *exchange.decision().match.backend;
  exchange.first_endpoint(backend, exchange.decision().match.route->backend);
  // next_upstream "timeout", tries 1: a connect failure ("error") is not retried.
  CHECK(exchange.retry(backend, classify(ErrorKind::connect_failed), {}) == RetryDecision::stop);
  exchange.finish(502);

  exchange.reset();  // the next request, on a route without them: the listener's again
  REQUIRE(exchange.begin(post("plain.test", 0), {}).verdict.kind == VerdictKind::continue_);
  CHECK(exchange.upstream_timeouts().connect == milliseconds(5));
  CHECK(exchange.upstream_timeouts().send == milliseconds(6));
  CHECK(exchange.upstream_timeouts().read == milliseconds(6));
  exchange.first_endpoint(*exchange.decision().match.backend, exchange.decision().match.route->backend);
  CHECK(exchange.retry(*exchange.decision().match.backend, classify(ErrorKind::connect_failed), {}) ==
        RetryDecision::next_endpoint);
}

TEST_CASE("RetryPolicy::from carries proxy-next-upstream's bits, tries and timeout", "[upstream][retry][limits]") {
  UpstreamPolicy u;
  u.next_upstream = next_on_error | next_on_non_idempotent;
  u.next_upstream_tries = 7;
  u.next_upstream_timeout = milliseconds(9000);
  const RetryPolicy p = RetryPolicy::from(u);
  CHECK(p.tries == 7u);
  CHECK(p.timeout == milliseconds(9000));
  CHECK(p.conditions == (RetryPolicy::on_error | RetryPolicy::on_non_idempotent));
  const RetryPolicy off_policy = RetryPolicy::from(UpstreamPolicy{.next_upstream = 0});  // RetryState keeps a pointer
  RetryState off(off_policy);
  CHECK(off.next(classify(ErrorKind::connect_failed), {}) == RetryDecision::stop);
}

TEST_CASE("limits answer in the access phase, after redirects, and a finished request gives back its count",
          "[exchange][limits]") {
  Fixture f;
  ConnectionFacts facts{false, "192.0.2.7"};
  facts.client_key = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 192, 0, 2, 7};
  Exchange a(f.services(), facts);
  Exchange b(f.services(), facts);
  a.reset();
  REQUIRE(a.begin(post("limited.test", 0), {}).verdict.kind == VerdictKind::continue_);
  b.reset();
  const Decision& busy = b.begin(post("limited.test", 0), {});  // a is still in progress: limit-connections 1
  REQUIRE(busy.verdict.kind == VerdictKind::respond);
  CHECK(busy.verdict.phase == Phase::access);
  CHECK(busy.verdict.reply.error == ProxyError::connection_limited);
  b.finish_local(busy.verdict.reply.error);
  a.finish(200);
  // Redirected requests never reach the limits (nginx's rewrite phase comes first).
  for (int i = 0; i < 5; ++i) {
    b.reset();
    CHECK(b.begin(post("redirect.test", 0), {}).verdict.kind == VerdictKind::redirect);
    b.finish(308);
  }
  // 1 r/m, burst 1: a took the first, this one the burst; the third is refused.
  b.reset();
  CHECK(b.begin(post("limited.test", 0), {}).verdict.kind == VerdictKind::continue_);
  b.finish(200);
  b.reset();
  const Decision& limited = b.begin(post("limited.test", 0), {});
  CHECK(limited.verdict.reply.error == ProxyError::rate_limited);
  CHECK(status_for(limited.verdict.reply.error) == 503);
  CHECK(status_for(ProxyError::rate_limited_429) == 429);
}

TEST_CASE("policies that differ only in a limit are stored apart; equal ones once", "[decide][limits]") {
  RouteTableBuilder b;
  const auto one_mib = b.add_policy({.max_body_bytes = 1048576});
  CHECK(b.add_policy({.max_body_bytes = 1048576}) == one_mib);
  CHECK(b.add_policy({.max_body_bytes = 1048577}) != one_mib);
  CHECK(b.add_policy({.max_body_bytes = 0}) != b.add_policy({}));  // 0 is "none", unset is "the listener's"

  UpstreamPolicy slow;
  slow.read_timeout = milliseconds(1000);
  const auto read_1s = b.add_policy({.upstream = slow});
  CHECK(b.add_policy({.upstream = slow}) == read_1s);
  CHECK(b.add_policy({.upstream = UpstreamPolicy{}}) != read_1s);
  UpstreamPolicy off = slow;
  off.next_upstream = 0;
  CHECK(b.add_policy({.upstream = off}) != read_1s);
  UpstreamPolicy tries = slow;
  tries.next_upstream_tries = 4;
  CHECK(b.add_policy({.upstream = tries}) != read_1s);

  RateLimitPolicy limits;
  limits.zone = 1;
  limits.rps = 5;
  limits.rps_burst = 25;
  const auto limited = b.add_policy({.rate_limit = limits});
  CHECK(b.add_policy({.rate_limit = limits}) == limited);
  for (auto change : {+[](RateLimitPolicy& r) { r.zone = 2; }, +[](RateLimitPolicy& r) { r.rps_burst = 26; },
                      +[](RateLimitPolicy& r) { r.rpm = 5; }, +[](RateLimitPolicy& r) { r.connections = 1; },
                      +[](RateLimitPolicy& r) { r.request_status = 429; },
                      +[](RateLimitPolicy& r) { r.allowlist.push_back(CidrRange{}); }}) {
    RateLimitPolicy other = limits;
    change(other);
    CHECK(b.add_policy({.rate_limit = other}) != limited);
  }
  RateLimitPolicy a = limits, c = limits;
  a.allowlist.push_back(CidrRange{{10}, 8});
  c.allowlist.push_back(CidrRange{{10}, 9});
  CHECK(b.add_policy({.rate_limit = a}) != b.add_policy({.rate_limit = c}));
}
