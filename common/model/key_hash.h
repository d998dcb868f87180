// The 64-bit hash the route index uses for hosts and paths: eight bytes per
// multiply, so hashing a request's host and a path prefix costs a few
// nanoseconds. Not keyed: keys come from the cluster's own rules, and a
// request can only look them up, never add one, so it cannot flood a bucket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace sluice {

namespace key_hash_detail {

__extension__ using u128 = unsigned __int128;

// The 128-bit product folded to 64 bits: every input bit reaches every
// output bit in one multiply (the "mum" step of wyhash).
inline std::uint64_t mum(std::uint64_t a, std::uint64_t b) {
  const u128 p = static_cast<u128>(a) * b;
  return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}

inline std::uint64_t load64(const char* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline std::uint64_t load32(const char* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

// Up to eight bytes as one word, without reading past the end.
inline std::uint64_t load_small(const char* p, std::size_t n) {
  if (n >= 4) return (load32(p) << 32) | load32(p + n - 4);
  if (n > 0) {
    return (static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
           (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n >> 1])) << 8) |
           static_cast<unsigned char>(p[n - 1]);
  }
  return 0;
}

inline constexpr std::uint64_t k0 = 0xa0761d6478bd642full;
inline constexpr std::uint64_t k1 = 0xe7037ed1a0b428dbull;

}  // namespace key_hash_detail

// Hash of `key` under `seed` (a table uses the seed to tell kinds of keys
// apart, e.g. exact hosts from wildcard domains).
inline std::uint64_t key_hash(std::uint64_t seed, std::string_view key) {
  using namespace key_hash_detail;
  const char* p = key.data();
  std::size_t n = key.size();
  std::uint64_t h = mum(seed ^ k0, n ^ k1);
  if (n <= 8) return mum(h ^ load_small(p, n), k1 ^ n);
  for (; n > 8; p += 8, n -= 8) h = mum(h ^ load64(p), k1);
  // The last eight bytes, overlapping the previous word when n % 8 != 0
  // (the length is already in h, so overlapping keys still differ).
  return mum(h ^ load64(p + n - 8), k0 ^ key.size());
}

}  // namespace sluice
