// A cheap reading of the steady clock, precise to a scheduler tick: for
// deadlines of I/O timeouts, never for latencies.
#pragma once

#include <time.h>

#include <chrono>

namespace sluice {

// CLOCK_MONOTONIC_COARSE has the epoch of CLOCK_MONOTONIC (what
// steady_clock::now() reads on Linux) and lags it by at most one tick
// (1-10 ms). The vDSO answers it from the value saved at the last tick
// without reading the TSC, which on a VM costs ~30 ns per read. So a
// deadline computed from it is comparable with steady_clock time points
// (timers, the watchdog) and expires at most a tick early; timeouts are
// seconds, so nobody can tell.
inline std::chrono::steady_clock::time_point coarse_steady_now() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  return std::chrono::steady_clock::time_point(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec)));
}

}  // namespace sluice
