// limit-rps, limit-rpm and limit-connections (RateLimitPolicy): nginx's
// limit_req with burst and nodelay, and limit_conn, keyed by client address,
// counted per worker in a bounded table the worker owns. The bucket
// arithmetic is ngx_http_limit_req_module's, in milli-requests, with the
// clock passed in, so a table test drives it without waiting.
#pragma once

#include <array>
#include <cstdint>
#include <memory>

#include "common/model/policy.h"
#include "proxy/http/local_reply.h"

namespace sluice {

// A client address as 16 bytes, IPv4 mapped into IPv6 (::ffff:a.b.c.d), as
// CidrRange holds them.
using RateLimitKey = std::array<std::uint8_t, 16>;

bool in_range(const CidrRange& range, const RateLimitKey& address);

// One leaky bucket of limit_req: `excess` requests above the rate, in
// thousandths, drained at the rate; a request that would take it past the
// burst is refused and changes nothing.
// any thread (a value); the table's copies are worker-confined.
struct LeakyBucket {
  std::int64_t excess_milli = 0;
  std::int64_t last_ms = 0;

  // ngx_http_limit_req_lookup: the excess this request would leave, or -1
  // when it is over the burst. `rate_milli` is thousandths of a request per
  // second (r/s × 1000; r/m × 1000 / 60, rounded down as nginx does);
  // `burst_milli` is the burst × 1000.
  std::int64_t would_take(std::int64_t now_ms, std::int64_t rate_milli, std::int64_t burst_milli) const;
  void take(std::int64_t now_ms, std::int64_t excess);
};

// worker-confined. What one exchange holds while it runs: the slot whose
// connection count it raised (limit-connections), released when it ends.
class RateLimiter {
 public:
  struct Entry {
    std::uint64_t zone = 0;
    RateLimitKey address{};
    LeakyBucket rps;
    LeakyBucket rpm;
    std::uint32_t active = 0;  // requests in progress (limit-connections)
    std::int64_t used_ms = 0;  // the last request that looked it up
    bool used = false;
  };
  // One slot per (Ingress zone, client address) seen lately; nginx's 5m zone
  // holds about 40,000. A new key takes a free slot of its probe window, else
  // the one that is drained, else the least recently used that holds no
  // request in progress.
  static constexpr std::size_t default_capacity = 16384;
  static constexpr std::size_t probe_window = 8;

  explicit RateLimiter(std::size_t capacity = default_capacity);

  // The access check (nginx's preaccess: limit_req, then limit_conn). On
  // ProxyError::none, `held` is the slot whose count the request raised
  // (null when limit-connections is unset or the client is allow-listed):
  // pass it to release() when the request ends.
  ProxyError admit(const RateLimitPolicy& policy, const RateLimitKey& client, std::int64_t now_ms, Entry*& held);
  static void release(Entry*& held);

  // How many keys are tracked (for tests).
  std::size_t size_for_test() const;

 private:
  Entry* find_or_claim(std::uint64_t zone, const RateLimitKey& client, std::int64_t now_ms, bool& created);

  std::size_t capacity_;
  std::unique_ptr<Entry[]> slots_;  // allocated at the first limited request
};

}  // namespace sluice
