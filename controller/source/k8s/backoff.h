// Exponential backoff with jitter that resets after a healthy period, as
// client-go's reflector uses between reconnects.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

namespace sluice::controller::kube {

// controller-confined
class Backoff {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds default_initial{200};
  static constexpr std::chrono::milliseconds default_cap{5000};
  static constexpr std::chrono::milliseconds default_reset_after{60'000};

  explicit Backoff(std::chrono::milliseconds initial = default_initial,
                   std::chrono::milliseconds cap = default_cap,
                   std::chrono::milliseconds reset_after = default_reset_after,
                   std::uint64_t seed = std::random_device{}())
      : initial_(initial), cap_(std::max(cap, initial)), reset_after_(reset_after), rng_(seed) {}

  // Things have worked since `now` (a watch is streaming, a list succeeded).
  void healthy(clock::time_point now) {
    if (!healthy_since_) healthy_since_ = now;
  }

  // The wait before the next attempt after a failure at `now`: initial,
  // doubling per consecutive failure up to the cap, each scaled by a random
  // factor in [0.8, 1.2] (never above the cap). A failure after a healthy
  // period of reset_after starts again from initial.
  std::chrono::milliseconds next(clock::time_point now) {
    if (healthy_since_ && now - *healthy_since_ >= reset_after_) failures_ = 0;
    healthy_since_.reset();
    const auto base = std::min<std::int64_t>(cap_.count(), initial_.count() << std::min(failures_, 20u));
    ++failures_;
    std::uniform_real_distribution<double> jitter(0.8, 1.2);
    const auto ms = static_cast<std::int64_t>(static_cast<double>(base) * jitter(rng_));
    return std::chrono::milliseconds(std::clamp<std::int64_t>(ms, 1, cap_.count()));
  }

  unsigned failures() const { return failures_; }

 private:
  std::chrono::milliseconds initial_, cap_, reset_after_;
  std::mt19937_64 rng_;
  unsigned failures_ = 0;
  std::optional<clock::time_point> healthy_since_;
};

}  // namespace sluice::controller::kube
