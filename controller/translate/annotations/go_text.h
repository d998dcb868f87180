// The few Go string functions ingress-nginx's parsers run on annotation
// values (strings.Split, strings.TrimSpace, parser.normalizeString), so a
// reader splits and trims exactly where they do.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice::controller {

// A value as issue messages show it.
inline std::string quoted(std::string_view v) { return "\"" + std::string(v) + "\""; }

// strings.TrimSpace on ASCII text: spaces, tabs, CR, LF, VT, FF.
inline std::string_view trim_go_space(std::string_view s) {
  constexpr std::string_view space = " \t\r\n\v\f";
  const auto first = s.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(space) - first + 1);
}

// strings.Split: every piece, empty ones included ("" gives one piece).
inline std::vector<std::string_view> split_go(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    const auto at = s.find(sep);
    out.push_back(s.substr(0, at));
    if (at == std::string_view::npos) return out;
    s.remove_prefix(at + 1);
  }
}

// parser.normalizeString: every line trimmed, joined again with '\n'.
inline std::string normalize_go_string(std::string_view s) {
  std::string out;
  bool first = true;
  for (std::string_view line : split_go(s, '\n')) {
    if (!first) out += '\n';
    first = false;
    out += trim_go_space(line);
  }
  return out;
}

}  // namespace sluice::controller
