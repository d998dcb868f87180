// Go and nginx value syntax for ConfigMap keys; see config_values.h.
#include "controller/translate/config_map/config_values.h"

#include <limits>


namespace sluice::controller {
namespace {

int digit_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'z') return c - 'a' + 10;
  if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
  return 99;
}

// strconv's underscoreOK for base 0: '_' only between digits (or after the
// base prefix), never first or last, never doubled.
bool underscores_ok(std::string_view digits, bool after_prefix) {
  char prev = after_prefix ? '0' : '^';
  for (char c : digits) {
    if (c == '_' && (prev == '_' || prev == '^')) return false;
    prev = c;
  }
  return prev != '_';
}

// strings.TrimSpace over ASCII (the Unicode spaces it also trims are not
// worth a decoder here: a value holding one is then simply invalid).
std::string_view trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<bool> parse_weak_bool(std::string_view t) {
  if (t.empty()) return false;
  if (t == "1" || t == "t" || t == "T" || t == "TRUE" || t == "true" || t == "True") return true;
  if (t == "0" || t == "f" || t == "F" || t == "FALSE" || t == "false" || t == "False") return false;
  return std::nullopt;
}

std::optional<std::int64_t> parse_weak_int(std::string_view t) {
  if (t.empty()) return 0;
  bool negative = false;
  if (t[0] == '+' || t[0] == '-') {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  int base = 10;
  bool prefixed = false;
  if (t.size() >= 2 && t[0] == '0') {
    const char p = static_cast<char>(t[1] | 0x20);
    base = p == 'x' ? 16 : p == 'o' ? 8 : p == 'b' ? 2 : 0;
    prefixed = base != 0;
    if (!prefixed) base = 8;  // "017" is octal, "0_17" too
    t.remove_prefix(prefixed ? 2 : 1);
  }
  if (t.empty() && (prefixed || base == 10)) return std::nullopt;  // "", "0x"
  if (!underscores_ok(t, prefixed || base == 8)) return std::nullopt;
  std::uint64_t value = 0;
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  for (char c : t) {
    if (c == '_') continue;
    const int d = digit_value(c);
    if (d >= base) return std::nullopt;
    if (value > (limit - static_cast<std::uint64_t>(d)) / static_cast<std::uint64_t>(base)) return std::nullopt;
    value = value * static_cast<std::uint64_t>(base) + static_cast<std::uint64_t>(d);
  }
  if (negative) return value == limit ? std::numeric_limits<std::int64_t>::min() : -static_cast<std::int64_t>(value);
  return static_cast<std::int64_t>(value);
}

std::vector<std::string> split_and_trim_space(std::string_view text) {
  std::vector<std::string> out;
  for (std::size_t start = 0;;) {
    const std::size_t comma = text.find(',', start);
    out.emplace_back(trim(text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) return out;
    start = comma + 1;
  }
}

std::optional<std::chrono::milliseconds> parse_nginx_time(std::string_view t) {
  if (t.empty()) return std::nullopt;
  std::int64_t total_ms = 0;
  while (!t.empty()) {
    std::int64_t n = 0;
    std::size_t i = 0;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      n = n * 10 + (t[i++] - '0');
      if (n > 1'000'000'000) return std::nullopt;
    }
    if (i == 0) return std::nullopt;
    t.remove_prefix(i);
    std::int64_t unit_ms = 1000;
    if (t.starts_with("ms")) {
      unit_ms = 1;
      t.remove_prefix(2);
    } else if (!t.empty() && t[0] != ' ' && !(t[0] >= '0' && t[0] <= '9')) {
      switch (t[0]) {
        case 's': unit_ms = 1000; break;
        case 'm': unit_ms = 60'000; break;
        case 'h': unit_ms = 3'600'000; break;
        case 'd': unit_ms = 86'400'000; break;
        case 'w': unit_ms = 7 * 86'400'000LL; break;
        case 'M': unit_ms = 30 * 86'400'000LL; break;
        case 'y': unit_ms = 365 * 86'400'000LL; break;
        default: return std::nullopt;
      }
      t.remove_prefix(1);
    } else if (!t.empty()) {
      return std::nullopt;  // "1 2", or digits running into a group with no unit
    }
    total_ms += n * unit_ms;
  }
  return std::chrono::milliseconds(total_ms);
}

}  // namespace sluice::controller
