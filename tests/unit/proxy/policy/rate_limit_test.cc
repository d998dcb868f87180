// RateLimiter: nginx's limit_req (burst, nodelay) and limit_conn, on a clock
// the test moves. Expected counts follow ngx_http_limit_req_lookup's
// arithmetic: excess += 1000 per request, minus rate × ms / 1000 drained.
#include <catch2/catch.hpp>

#include "proxy/policy/rate_limit.h"

using namespace sluice;

namespace {

RateLimitKey v4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d};
}

RateLimitPolicy rps(std::uint32_t rate, std::uint32_t burst) {
  RateLimitPolicy p;
  p.zone = 1;
  p.rps = rate;
  p.rps_burst = burst;
  return p;
}

// How many of `n` requests at `now_ms` pass.
int admitted(RateLimiter& limiter, const RateLimitPolicy& p, const RateLimitKey& client, std::int64_t now_ms,
             int n) {
  int ok = 0;
  for (int i = 0; i < n; ++i) {
    RateLimiter::Entry* held = nullptr;
    if (limiter.admit(p, client, now_ms, held) == ProxyError::none) ++ok;
    RateLimiter::release(held);
  }
  return ok;
}

}  // namespace

TEST_CASE("a bucket lets burst + 1 through at once, then the rate", "[rate_limit]") {
  struct Row {
    const char* name;
    std::uint32_t rate, burst;
    std::int64_t later_ms;  // after the first volley
    int first, then;        // admitted of 100, at 0 and at later_ms
  };
  const Row rows[] = {
      {"5 r/s burst 25: 26 at once, then 5 a second", 5, 25, 1000, 26, 5},
      {"burst 0: one at once, one per 1/rate", 10, 0, 100, 1, 1},
      {"burst 0, too soon: none", 10, 0, 99, 1, 0},
      {"after a long pause the bucket is empty again", 1, 5, 60000, 6, 6},
      {"half a period drains half a request: none fits", 2, 2, 250, 3, 0},
  };
  for (const Row& r : rows) {
    INFO(r.name);
    RateLimiter limiter(64);
    const auto p = rps(r.rate, r.burst);
    CHECK(admitted(limiter, p, v4(10, 0, 0, 1), 1000, 100) == r.first);
    CHECK(admitted(limiter, p, v4(10, 0, 0, 1), 1000 + r.later_ms, 100) == r.then);
  }
}

TEST_CASE("the leaky bucket is ngx_http_limit_req_lookup's arithmetic", "[rate_limit]") {
  LeakyBucket b{0, 0};  // a node that took its first request (nginx stores excess 0)
  CHECK(b.would_take(0, 1000, 0) == -1);       // 1000 > burst 0
  CHECK(b.would_take(1000, 1000, 0) == 0);     // one period drained one request
  CHECK(b.would_take(500, 1000, 1000) == 500);
  CHECK(b.would_take(5000, 1000, 0) == 0);     // drained below zero, then + 1000, clamped after
  b.take(0, 1500);
  CHECK(b.would_take(-70000, 1000, 2000) == -1);  // the clock went back a lot: 1 ms: 2499
  CHECK(b.would_take(-10, 1000, 3000) == 2500);   // a little: none
  b.take(0, 2500);
  CHECK(b.last_ms == 0);
  b.take(7, 2500);
  CHECK(b.last_ms == 7);
}

TEST_CASE("limit-rpm drains rpm / 60 per second, rounded down as nginx does", "[rate_limit]") {
  RateLimiter limiter(64);
  RateLimitPolicy p;
  p.zone = 3;
  p.rpm = 60;  // 1000 milli-requests per second
  p.rpm_burst = 2;
  CHECK(admitted(limiter, p, v4(10, 0, 0, 2), 0, 10) == 3);
  CHECK(admitted(limiter, p, v4(10, 0, 0, 2), 999, 10) == 0);
  CHECK(admitted(limiter, p, v4(10, 0, 0, 2), 1000, 10) == 1);
}

TEST_CASE("clients, zones and allow-listed addresses are counted apart", "[rate_limit]") {
  RateLimiter limiter(64);
  auto p = rps(1, 0);
  CHECK(admitted(limiter, p, v4(10, 0, 0, 1), 0, 5) == 1);
  CHECK(admitted(limiter, p, v4(10, 0, 0, 2), 0, 5) == 1);  // another client
  auto other_zone = p;
  other_zone.zone = 2;
  CHECK(admitted(limiter, other_zone, v4(10, 0, 0, 1), 0, 5) == 1);  // another Ingress
  auto allow = p;
  allow.allowlist.push_back(CidrRange{v4(10, 0, 0, 0), 96 + 31});
  allow.allowlist.push_back(CidrRange{v4(10, 0, 0, 9), 128});
  CHECK(admitted(limiter, allow, v4(10, 0, 0, 1), 0, 5) == 5);
  CHECK(admitted(limiter, allow, v4(10, 0, 0, 9), 0, 5) == 5);
  CHECK(admitted(limiter, allow, v4(10, 0, 0, 2), 0, 5) == 0);  // outside both: already used up
}

TEST_CASE("a refused request charges no bucket; rps and rpm must both pass", "[rate_limit]") {
  RateLimiter limiter(64);
  RateLimitPolicy p;
  p.zone = 4;
  p.rps = 100;
  p.rps_burst = 100;
  p.rpm = 60;
  p.rpm_burst = 1;  // 2 at once
  CHECK(admitted(limiter, p, v4(10, 0, 0, 3), 0, 10) == 2);
  // The refused eight did not fill the rps bucket: after 1 s, rpm lets one more.
  CHECK(admitted(limiter, p, v4(10, 0, 0, 3), 1000, 10) == 1);
}

TEST_CASE("limit-connections counts requests in progress until they are released", "[rate_limit]") {
  RateLimiter limiter(64);
  RateLimitPolicy p;
  p.zone = 5;
  p.connections = 2;
  p.connection_status = 429;
  const auto client = v4(192, 0, 2, 1);
  RateLimiter::Entry* a = nullptr;
  RateLimiter::Entry* b = nullptr;
  RateLimiter::Entry* c = nullptr;
  CHECK(limiter.admit(p, client, 0, a) == ProxyError::none);
  CHECK(limiter.admit(p, client, 0, b) == ProxyError::none);
  CHECK(limiter.admit(p, client, 0, c) == ProxyError::connection_limited_429);
  CHECK(c == nullptr);
  RateLimiter::release(a);
  CHECK(a == nullptr);
  RateLimiter::release(a);  // twice is harmless
  CHECK(limiter.admit(p, client, 0, c) == ProxyError::none);
  RateLimiter::release(b);
  RateLimiter::release(c);
  CHECK(admitted(limiter, p, client, 0, 3) == 3);
}

TEST_CASE("the table stays bounded and never evicts a slot with a request in progress", "[rate_limit]") {
  RateLimiter limiter(16);
  auto p = rps(1, 0);
  p.connections = 1;
  std::vector<RateLimiter::Entry*> held(16, nullptr);
  for (int i = 0; i < 16; ++i) (void)limiter.admit(p, v4(10, 1, 0, static_cast<std::uint8_t>(i)), 0, held[i]);
  for (int i = 0; i < 1000; ++i) {
    RateLimiter::Entry* h = nullptr;
    (void)limiter.admit(p, v4(10, 2, static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)), i, h);
    RateLimiter::release(h);
  }
  CHECK(limiter.size_for_test() <= 16);
  for (int i = 0; i < 16; ++i) {
    if (!held[i]) continue;
    CHECK(held[i]->active == 1);  // still its own
    CHECK(held[i]->address == v4(10, 1, 0, static_cast<std::uint8_t>(i)));
    RateLimiter::release(held[i]);
  }
}

TEST_CASE("CIDR ranges match by prefix, IPv4 mapped", "[rate_limit]") {
  CHECK(in_range(CidrRange{v4(10, 0, 0, 0), 96 + 8}, v4(10, 200, 3, 4)));
  CHECK_FALSE(in_range(CidrRange{v4(10, 0, 0, 0), 96 + 8}, v4(11, 0, 0, 0)));
  CHECK(in_range(CidrRange{v4(192, 168, 1, 0), 96 + 25}, v4(192, 168, 1, 127)));
  CHECK_FALSE(in_range(CidrRange{v4(192, 168, 1, 0), 96 + 25}, v4(192, 168, 1, 128)));
  CHECK(in_range(CidrRange{{}, 0}, v4(1, 2, 3, 4)));  // ::/0
  CHECK(in_range(CidrRange{v4(1, 2, 3, 4), 128}, v4(1, 2, 3, 4)));
  RateLimitKey v6{0x20, 0x01, 0x0d, 0xb8};
  CHECK_FALSE(in_range(CidrRange{v4(0, 0, 0, 0), 96}, v6));
}
