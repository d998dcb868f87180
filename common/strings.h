// Small string helpers shared by the controller and the proxy: ASCII case
// folding, Host header normalisation, JSON string escaping.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sluice {

inline char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// Inline: its callers compare short field names and tokens, where the call
// cost as much as the loop.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  return true;
}
std::string to_lower(std::string_view s);

// Longest host name we route on (RFC 1035 limit is 253 plus slack for a port).
inline constexpr std::size_t max_host_length = 255;

// Normalises a Host header value for lookup: strips the port (and the
// brackets of an IPv6 literal), a trailing dot, and lowercases into `out`,
// which must hold max_host_length bytes. Returns the normalised view, or an
// empty view when the value is too long to be a host name.
std::string_view normalize_host(std::string_view host, char* out);
// A Host value without its port, as written otherwise: "[::1]:80" gives
// "[::1]", "a.test:80" gives "a.test", a bare IPv6 literal stays whole.
std::string_view host_without_port(std::string_view host);

// Appends s as a quoted JSON string with the required escapes; the result is
// valid UTF-8 whatever the input (invalid bytes become U+FFFD).
void append_json_string(std::string& out, std::string_view s);
// The same without the quotes.
void append_json_string_body(std::string& out, std::string_view s);

// Parses a duration like "500ms", "10s", "2m", "1h" (a bare number is
// seconds). Returns false on anything else.
bool parse_duration_ms(std::string_view s, long long& out_ms);

}  // namespace sluice
