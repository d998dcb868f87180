// coarse_steady_now: comparable with steady_clock, never ahead of it, and
// behind it by no more than a tick.
#include <catch2/catch.hpp>

#include <time.h>

#include <chrono>

#include "common/coarse_clock.h"

using namespace sluice;
using namespace std::chrono_literals;

TEST_CASE("the coarse clock never runs ahead of steady_clock and lags it by about a tick", "[clock]") {
  timespec res{};
  REQUIRE(::clock_getres(CLOCK_MONOTONIC_COARSE, &res) == 0);
  const auto tick = std::chrono::seconds(res.tv_sec) + std::chrono::nanoseconds(res.tv_nsec);
  for (int i = 0; i < 1000; ++i) {
    const auto before = std::chrono::steady_clock::now();
    const auto coarse = coarse_steady_now();
    const auto after = std::chrono::steady_clock::now();
    CHECK(coarse <= after);
    // A tick late at most; the slack covers a tick the kernel delivered late
    // on a busy machine.
    CHECK(coarse >= before - tick - 50ms);
  }
}

TEST_CASE("the coarse clock is monotonic", "[clock]") {
  auto last = coarse_steady_now();
  for (int i = 0; i < 100000; ++i) {
    const auto now = coarse_steady_now();
    REQUIRE(now >= last);
    last = now;
  }
}

TEST_CASE("the coarse clock advances", "[clock]") {
  const auto first = coarse_steady_now();
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (coarse_steady_now() == first && std::chrono::steady_clock::now() < deadline) {
  }
  CHECK(coarse_steady_now() > first);
}
