// String helpers; see strings.h.
#include "common/strings.h"

#include <charconv>
#include <cstdio>

namespace sluice {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string_view normalize_host(std::string_view host, char* out) {
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    host = close == std::string_view::npos ? host.substr(1) : host.substr(1, close - 1);
  } else if (auto colon = host.rfind(':'); colon != std::string_view::npos &&
                                           host.find(':') == colon) {
    host = host.substr(0, colon);  // one colon: a port; more: a bare IPv6 literal
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.size() > max_host_length) return {};
  for (std::size_t i = 0; i < host.size(); ++i) out[i] = ascii_lower(host[i]);
  return {out, host.size()};
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  out += '"';
}

bool parse_duration_ms(std::string_view s, long long& out_ms) {
  long long n = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || p == s.data() || n < 0) return false;
  std::string_view unit(p, static_cast<std::size_t>(s.data() + s.size() - p));
  long long mult = 0;
  if (unit.empty() || unit == "s") mult = 1000;
  else if (unit == "ms") mult = 1;
  else if (unit == "m") mult = 60'000;
  else if (unit == "h") mult = 3'600'000;
  else return false;
  out_ms = n * mult;
  return true;
}

}  // namespace sluice
