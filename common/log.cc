// Log line formatting; one write(2)-sized fwrite per line so lines from
// different threads never interleave.
#include "common/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "common/strings.h"

namespace sluice::log {
namespace {

std::atomic<int> g_level{static_cast<int>(level::info)};
std::atomic<int> g_format{static_cast<int>(format::text)};

const char* level_name(level l) {
  switch (l) {
    case level::debug: return "debug";
    case level::info: return "info";
    case level::warn: return "warn";
    case level::error: return "error";
  }
  return "info";
}

std::string timestamp() {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

bool needs_quotes(std::string_view v) {
  if (v.empty()) return true;
  for (char c : v)
    if (c == ' ' || c == '"' || c == '=' || static_cast<unsigned char>(c) < 0x20) return true;
  return false;
}

}  // namespace

void set_level(level l) { g_level.store(static_cast<int>(l), std::memory_order_relaxed); }
void set_format(format f) { g_format.store(static_cast<int>(f), std::memory_order_relaxed); }
bool enabled(level l) { return static_cast<int>(l) >= g_level.load(std::memory_order_relaxed); }

bool parse_level(std::string_view s, level& out) {
  if (s == "debug") out = level::debug;
  else if (s == "info") out = level::info;
  else if (s == "warn" || s == "warning") out = level::warn;
  else if (s == "error") out = level::error;
  else return false;
  return true;
}

void write(level l, std::string_view message, std::initializer_list<field> fields) {
  if (!enabled(l)) return;
  std::string line;
  line.reserve(128);
  if (static_cast<format>(g_format.load(std::memory_order_relaxed)) == format::json) {
    line += "{\"time\":\"" + timestamp() + "\",\"level\":\"" + level_name(l) + "\",\"msg\":";
    append_json_string(line, message);
    for (const auto& [k, v] : fields) {
      line += ',';
      append_json_string(line, k);
      line += ':';
      append_json_string(line, v);
    }
    line += "}\n";
  } else {
    line += timestamp();
    line += ' ';
    line += level_name(l);
    line += ' ';
    line += message;
    for (const auto& [k, v] : fields) {
      line += ' ';
      line += k;
      line += '=';
      if (needs_quotes(v)) append_json_string(line, v);
      else line += v;
    }
    line += '\n';
  }
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace sluice::log
