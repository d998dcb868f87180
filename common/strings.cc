// String helpers; see strings.h.
#include "common/strings.h"

#include <charconv>

namespace sluice {

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = ascii_lower(c);
  return out;
}

std::string_view host_without_port(std::string_view host) {
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    return close == std::string_view::npos ? host : host.substr(0, close + 1);
  }
  if (auto colon = host.rfind(':'); colon != std::string_view::npos && host.find(':') == colon)
    return host.substr(0, colon);  // one colon: a port; more: a bare IPv6 literal
  return host;
}

std::string_view normalize_host(std::string_view host, char* out) {
  host = host_without_port(host);
  if (!host.empty() && host.front() == '[') {
    host.remove_prefix(1);
    if (!host.empty() && host.back() == ']') host.remove_suffix(1);
  }
  if (!host.empty() && host.back() == '.') host.remove_suffix(1);
  if (host.size() > max_host_length) return {};
  for (std::size_t i = 0; i < host.size(); ++i) out[i] = ascii_lower(host[i]);
  return {out, host.size()};
}

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0.
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto c = static_cast<unsigned char>(s[i]);
  std::size_t n = 0;
  unsigned char min2 = 0x80, max2 = 0xbf;  // the second byte's range
  if (c >= 0xc2 && c <= 0xdf) n = 2;
  else if (c >= 0xe0 && c <= 0xef) {
    n = 3;
    if (c == 0xe0) min2 = 0xa0;      // no overlong forms
    else if (c == 0xed) max2 = 0x9f;  // no surrogates
  } else if (c >= 0xf0 && c <= 0xf4) {
    n = 4;
    if (c == 0xf0) min2 = 0x90;
    else if (c == 0xf4) max2 = 0x8f;  // nothing past U+10FFFF
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  const auto second = static_cast<unsigned char>(s[i + 1]);
  if (second < min2 || second > max2) return 0;
  for (std::size_t k = 2; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if (b < 0x80 || b > 0xbf) return 0;
  }
  return n;
}

}  // namespace

void append_json_string_body(std::string& out, std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      if (std::size_t n = utf8_sequence(s, i)) {
        out.append(s.data() + i, n);
        i += n;
      } else {
        out += "\\ufffd";
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out += hex[c >> 4];
          out += hex[c & 0xf];
        } else {
          out += static_cast<char>(c);
        }
    }
    ++i;
  }
}

void append_json_string(std::string& out, std::string_view s) {
  out += '"';
  append_json_string_body(out, s);
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
