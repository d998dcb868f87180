// This process's CPU time, memory and file descriptors, read from /proc/self
// at scrape time (what Prometheus' process collectors report).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sluice::metrics {

// any thread (a value)
struct ProcessStats {
  double cpu_seconds = 0;          // user + system
  std::uint64_t resident_bytes = 0;
  std::uint64_t virtual_bytes = 0;
  double start_time_seconds = 0;   // since the epoch
  std::uint64_t open_fds = 0;
  std::uint64_t max_fds = 0;
  std::uint64_t threads = 0;
};

// Reads /proc/self; nullopt when /proc is not mounted.
std::optional<ProcessStats> read_process_stats();

// Parses the text of /proc/<pid>/stat (fields after the command name), with
// the clock tick rate, page size and boot time it needs. For unit tests.
std::optional<ProcessStats> parse_proc_stat(std::string_view stat, long ticks_per_second, long page_size,
                                            double boot_time_seconds);

}  // namespace sluice::metrics
