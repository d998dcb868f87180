// Request ids: 128 random bits as 32 lowercase hex digits, the shape of
// ingress-nginx's $req_id, made for every request that arrives without an
// X-Request-ID, so they cost a few dozen instructions rather than hundreds.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <random>
#include <string>

namespace sluice {

// worker-confined. xoshiro256++ (Blackman & Vigna): 256 bits of state seeded
// entirely from the seed source, so ids are unique across workers and
// restarts with overwhelming probability, and an outsider cannot guess the
// next one without first collecting this worker's earlier ids. They are
// correlation ids, not secrets; nothing authenticates with them.
class RequestIdGenerator {
 public:
  static constexpr std::size_t length = 32;

  RequestIdGenerator() {
    std::random_device seed;  // once per worker: it may read /dev/urandom
    for (auto& word : state_) word = (std::uint64_t{seed()} << 32) | seed();
    if (state_ == std::array<std::uint64_t, 4>{}) state_[0] = 1;  // the one state xoshiro cannot leave
  }

  // Replaces `out` with the next id.
  void next(std::string& out) {
    out.resize(length);
    char* p = out.data();
    for (int half = 0; half < 2; ++half) {
      std::uint64_t bits = next_bits();
      for (int byte = 0; byte < 8; ++byte, bits >>= 8, p += 2) std::memcpy(p, hex_pairs[bits & 0xff].data(), 2);
    }
  }

 private:
  // Two hex digits per byte value: one load and store per byte of the id.
  static constexpr std::array<std::array<char, 2>, 256> hex_pairs = [] {
    constexpr char digits[] = "0123456789abcdef";
    std::array<std::array<char, 2>, 256> pairs{};
    for (std::size_t i = 0; i < 256; ++i) pairs[i] = {digits[i >> 4], digits[i & 0xf]};
    return pairs;
  }();

  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::uint64_t next_bits() {
    auto& s = state_;
    const std::uint64_t result = rotl(s[0] + s[3], 23) + s[0];
    const std::uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
  }

  std::array<std::uint64_t, 4> state_{};
};

}  // namespace sluice
