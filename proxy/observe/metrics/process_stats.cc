// /proc/self/stat fields by number (proc(5)): 14 utime, 15 stime, 20
// num_threads, 22 starttime (ticks since boot), 23 vsize, 24 rss (pages).
#include "proxy/observe/metrics/process_stats.h"

#include <sys/resource.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace sluice::metrics {

namespace {

std::string read_file(const char* path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

double boot_time_seconds() {
  std::istringstream in(read_file("/proc/stat"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.starts_with("btime ")) return std::strtod(line.c_str() + 6, nullptr);
  }
  return 0;
}

}  // namespace

std::optional<ProcessStats> parse_proc_stat(std::string_view stat, long ticks_per_second, long page_size,
                                            double boot_time) {
  // The command name (field 2) is in parentheses and may hold spaces or ')'.
  auto close = stat.rfind(')');
  if (close == std::string_view::npos || ticks_per_second <= 0) return std::nullopt;
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  std::string_view rest = stat.substr(close + 1);
  while (!rest.empty()) {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\n')) rest.remove_prefix(1);
    if (rest.empty()) break;
    auto end = rest.find_first_of(" \n");
    fields.push_back(rest.substr(0, end));
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  auto field = [&](int number, std::uint64_t& out) {
    const std::size_t i = static_cast<std::size_t>(number - 3);
    if (i >= fields.size()) return false;
    auto [p, ec] = std::from_chars(fields[i].data(), fields[i].data() + fields[i].size(), out);
    return ec == std::errc();
  };
  std::uint64_t utime = 0, stime = 0, threads = 0, start = 0, vsize = 0, rss = 0;
  if (!field(14, utime) || !field(15, stime) || !field(20, threads) || !field(22, start) ||
      !field(23, vsize) || !field(24, rss))
    return std::nullopt;
  ProcessStats s;
  const auto tps = static_cast<double>(ticks_per_second);
  s.cpu_seconds = static_cast<double>(utime + stime) / tps;
  s.threads = threads;
  s.start_time_seconds = boot_time + static_cast<double>(start) / tps;
  s.virtual_bytes = vsize;
  s.resident_bytes = rss * static_cast<std::uint64_t>(page_size);
  return s;
}

std::optional<ProcessStats> read_process_stats() {
  auto s = parse_proc_stat(read_file("/proc/self/stat"), sysconf(_SC_CLK_TCK), sysconf(_SC_PAGESIZE),
                           boot_time_seconds());
  if (!s) return std::nullopt;
  // /proc counts CPU time in clock ticks (10 ms), so a process that has just
  // started can read 0; the process CPU clock counts nanoseconds.
  timespec cpu{};
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu) == 0)
    s->cpu_seconds = static_cast<double>(cpu.tv_sec) + static_cast<double>(cpu.tv_nsec) / 1e9;
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator("/proc/self/fd", ec);
       !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
    ++s->open_fds;
  if (s->open_fds > 0) --s->open_fds;  // the directory_iterator's own descriptor
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0) s->max_fds = limit.rlim_cur;
  return s;
}

}  // namespace sluice::metrics
