// RateLimiter: nginx's limit_req (burst, nodelay) and limit_conn per client
// address, per worker; see rate_limit.h.
#include "proxy/policy/rate_limit.h"

#include <bit>

namespace sluice {
namespace {

ProxyError request_error(const RateLimitPolicy& p) {
  return p.request_status == 429 ? ProxyError::rate_limited_429 : ProxyError::rate_limited;
}

ProxyError connection_error(const RateLimitPolicy& p) {
  return p.connection_status == 429 ? ProxyError::connection_limited_429 : ProxyError::connection_limited;
}

std::size_t slot_hash(std::uint64_t zone, const RateLimitKey& a) {
  std::uint64_t h = zone ^ 0x9e3779b97f4a7c15ull;
  for (std::uint8_t b : a) h = (h ^ b) * 1099511628211ull;
  return static_cast<std::size_t>(h ^ (h >> 29));
}

}  // namespace

bool in_range(const CidrRange& range, const RateLimitKey& address) {
  int bits = range.prefix_bits;
  for (std::size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const auto mask = static_cast<std::uint8_t>(bits >= 8 ? 0xff : 0xff00 >> bits);
    if ((address[i] & mask) != range.address[i]) return false;
  }
  return true;
}

// ngx_http_limit_req_lookup: a clock that went back more than a minute
// counts as 1 ms, less than that as none.
std::int64_t LeakyBucket::would_take(std::int64_t now_ms, std::int64_t rate_milli, std::int64_t burst_milli) const {
  std::int64_t ms = now_ms - last_ms;
  if (ms < -60000) ms = 1;
  else if (ms < 0) ms = 0;
  std::int64_t excess = excess_milli - rate_milli * ms / 1000 + 1000;
  if (excess < 0) excess = 0;
  return excess > burst_milli ? -1 : excess;
}

// nginx moves `last` only when time passed, so a burst within one
// millisecond keeps draining from the same start.
void LeakyBucket::take(std::int64_t now_ms, std::int64_t excess) {
  excess_milli = excess;
  if (now_ms != last_ms) last_ms = now_ms;
}

RateLimiter::RateLimiter(std::size_t capacity) : capacity_(std::bit_ceil(std::max<std::size_t>(capacity, probe_window))) {}

RateLimiter::Entry* RateLimiter::find_or_claim(std::uint64_t zone, const RateLimitKey& client, std::int64_t now_ms,
                                               bool& created) {
  created = false;
  if (!slots_) slots_ = std::make_unique<Entry[]>(capacity_);
  const std::size_t start = slot_hash(zone, client);
  Entry* victim = nullptr;
  for (std::size_t i = 0; i < probe_window; ++i) {
    Entry& e = slots_[(start + i) & (capacity_ - 1)];
    if (e.used && e.zone == zone && e.address == client) return &e;
    if (!e.used) {
      if (!victim || victim->used) victim = &e;
    } else if (e.active == 0 && (!victim || (victim->used && e.used_ms < victim->used_ms))) {
      victim = &e;
    }
  }
  // Every slot of the window holds a request in progress: let it through
  // unlimited rather than refuse a client nobody counted.
  if (!victim) return nullptr;
  *victim = Entry{zone, client, LeakyBucket{0, now_ms}, LeakyBucket{0, now_ms}, 0, now_ms, true};
  created = true;
  return victim;
}

// limit_req runs before limit_conn (nginx runs a phase's handlers in the
// reverse order of their modules). Every limit_req is checked before any
// is charged, as ngx_http_limit_req_account does: a refused request costs
// no bucket anything. A client not yet in the table passes with an empty
// bucket, as nginx's new node does (excess 0): burst + 1 at once.
ProxyError RateLimiter::admit(const RateLimitPolicy& policy, const RateLimitKey& client, std::int64_t now_ms,
                              Entry*& held) {
  held = nullptr;
  for (const CidrRange& range : policy.allowlist)
    if (in_range(range, client)) return ProxyError::none;
  bool created = false;
  Entry* e = find_or_claim(policy.zone, client, now_ms, created);
  if (!e) return ProxyError::none;
  e->used_ms = now_ms;
  std::int64_t rps_excess = 0, rpm_excess = 0;  // a new entry's buckets start empty at now_ms
  if (!created && policy.rps) {
    rps_excess = e->rps.would_take(now_ms, std::int64_t{policy.rps} * 1000, std::int64_t{policy.rps_burst} * 1000);
    if (rps_excess < 0) return request_error(policy);
  }
  if (!created && policy.rpm) {
    rpm_excess =
        e->rpm.would_take(now_ms, std::int64_t{policy.rpm} * 1000 / 60, std::int64_t{policy.rpm_burst} * 1000);
    if (rpm_excess < 0) return request_error(policy);
  }
  if (policy.connections && e->active >= policy.connections) return connection_error(policy);
  if (policy.rps) e->rps.take(now_ms, rps_excess);
  if (policy.rpm) e->rpm.take(now_ms, rpm_excess);
  if (policy.connections) {
    ++e->active;
    held = e;
  }
  return ProxyError::none;
}

void RateLimiter::release(Entry*& held) {
  if (held && held->active > 0) --held->active;
  held = nullptr;
}

std::size_t RateLimiter::size_for_test() const {
  std::size_t n = 0;
  for (std::size_t i = 0; slots_ && i < capacity_; ++i) n += slots_[i].used;
  return n;
}

}  // namespace sluice
