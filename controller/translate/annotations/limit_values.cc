// The limits group's value forms; see limit_values.h.
#include "controller/translate/annotations/limit_values.h"

#include "controller/translate/annotations/go_text.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstring>
#include <string>

namespace sluice::controller {
namespace {

constexpr std::string_view next_upstream_words[] = {
    "error",    "timeout",  "invalid_header", "http_500", "http_502",       "http_503",
    "http_504", "http_403", "http_404",       "http_429", "non_idempotent", "off",
};
constexpr std::uint16_t next_upstream_bits[] = {
    next_on_error,    next_on_timeout,  next_on_invalid_header, next_on_http_500, next_on_http_502,
    next_on_http_503, next_on_http_504, next_on_http_403,       next_on_http_404, next_on_http_429,
    next_on_non_idempotent, 0,
};
constexpr std::size_t off_word = 11;

// RE2's \s: space, \t, \n, \f, \r (and \v is not in it).
bool re2_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }

// The regex, word by word: no word is a prefix of another, so the first
// that matches is the only one that can.
bool matches_validator(std::string_view t) {
  if (t.empty()) return false;
  while (!t.empty()) {
    bool found = false;
    for (std::string_view w : next_upstream_words) {
      if (t.starts_with(w)) {
        t.remove_prefix(w.size());
        found = true;
        break;
      }
    }
    if (!found) return false;
    if (!t.empty() && re2_space(t.front())) t.remove_prefix(1);
  }
  return true;
}

}  // namespace

std::optional<std::int64_t> parse_go_int(std::string_view t) {
  bool negative = false;
  if (!t.empty() && (t.front() == '+' || t.front() == '-')) {
    negative = t.front() == '-';
    t.remove_prefix(1);
  }
  if (t.empty() || t.front() < '0' || t.front() > '9') return std::nullopt;
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || end != t.data() + t.size()) return std::nullopt;
  constexpr std::uint64_t max = std::uint64_t{1} << 63;
  if (n > max || (!negative && n == max)) return std::nullopt;
  return negative ? static_cast<std::int64_t>(0 - n) : static_cast<std::int64_t>(n);
}

// Past the validator, buildNextUpstream splits on ' ' and nginx must know
// every word: "errortimeout" passes the regex but not nginx (a configuration
// ingress-nginx cannot load), so it is refused here too. "off" anywhere
// turns retries off, as nginx's merge of proxy_next_upstream does.
std::optional<std::uint16_t> parse_next_upstream(std::string_view text) {
  if (!matches_validator(text)) return std::nullopt;
  std::uint16_t bits = 0;
  bool off = false;
  while (!text.empty()) {
    const auto space = text.find(' ');
    std::string_view word = text.substr(0, space);
    text = space == std::string_view::npos ? std::string_view() : text.substr(space + 1);
    if (word.empty()) continue;
    std::size_t i = 0;
    while (i < std::size(next_upstream_words) && next_upstream_words[i] != word) ++i;
    if (i == std::size(next_upstream_words)) return std::nullopt;
    if (i == off_word) off = true;
    bits |= next_upstream_bits[i];
  }
  return off ? std::uint16_t{0} : bits;
}

std::optional<CidrRange> parse_cidr(std::string_view text) {
  const auto slash = text.find('/');
  std::string address(text.substr(0, slash));
  CidrRange r;
  in_addr v4{};
  in6_addr v6{};
  int max_bits = 128;
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    r.address[10] = r.address[11] = 0xff;
    std::memcpy(&r.address[12], &v4, 4);
    max_bits = 32;
  } else if (address.find(':') != std::string::npos && inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    std::memcpy(r.address.data(), &v6, 16);
  } else {
    return std::nullopt;
  }
  int bits = max_bits;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    // Go's ParseCIDR: decimal without a sign or leading zeros.
    if (digits.empty() || digits.size() > 3 || (digits.size() > 1 && digits.front() == '0')) return std::nullopt;
    for (char c : digits)
      if (c < '0' || c > '9') return std::nullopt;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (ec != std::errc() || end != digits.data() + digits.size() || bits > max_bits) return std::nullopt;
  }
  r.prefix_bits = static_cast<std::uint8_t>(bits + (max_bits == 32 ? 96 : 0));
  // The network, as ParseCIDR returns it: host bits cleared.
  for (int i = 0; i < 16; ++i) {
    const int keep = std::clamp(r.prefix_bits - i * 8, 0, 8);
    r.address[i] &= static_cast<std::uint8_t>(0xff00 >> keep);
  }
  return r;
}

std::optional<std::vector<CidrRange>> parse_cidr_list(std::string_view text) {
  std::vector<CidrRange> out;
  if (text.empty()) return out;
  while (true) {
    const auto comma = text.find(',');
    auto range = parse_cidr(trim_go_space(text.substr(0, comma)));
    if (!range) return std::nullopt;
    out.push_back(*range);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  return out;
}

std::uint64_t zone_id(std::string_view ns, std::string_view name, std::string_view uid) {
  std::uint64_t h = 14695981039346656037ull;
  auto mix = [&h](std::string_view s) {
    const std::string framed = std::to_string(s.size()) + ':' + std::string(s);
    for (unsigned char c : framed) h = (h ^ c) * 1099511628211ull;
  };
  mix(ns);
  mix(name);
  mix(uid);
  return h;
}

}  // namespace sluice::controller
