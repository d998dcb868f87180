// IP addresses and networks as typed values (block-cidrs, proxy-real-ip-cidr):
// IPv4 is held as IPv4-mapped IPv6, so one comparison covers both families.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// any thread (immutable). 16 bytes; IPv4 as ::ffff:a.b.c.d.
struct IpAddress {
  std::array<std::uint8_t, 16> bytes{};
  bool operator==(const IpAddress&) const = default;
};

// "192.0.2.1" or "2001:db8::1" (no brackets, no port, no zone); nullopt
// otherwise. Allocates nothing, so the request path may call it.
std::optional<IpAddress> parse_ip_address(std::string_view text);

// any thread (immutable). A network as nginx's `deny`/`set_real_ip_from`
// take it: "192.0.2.0/24", "2001:db8::/32", or one address (a /32 or /128).
struct IpNetwork {
  IpAddress address;      // with the host bits cleared
  std::uint8_t bits = 0;  // prefix length over the 128-bit form
  bool contains(const IpAddress& a) const;
  bool operator==(const IpNetwork&) const = default;
};

// nullopt for anything else ("10.0.0.0/33", "all", "").
std::optional<IpNetwork> parse_ip_network(std::string_view text);

// "192.0.2.0/24", "2001:db8::/32": the stable text describe() prints.
std::string to_string(const IpNetwork& n);

}  // namespace sluice
