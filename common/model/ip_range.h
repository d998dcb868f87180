// Client addresses and the address ranges of allow and deny lists, in
// binary: a connection parses its client's address once, and a list check
// is a few byte compares, without text and without allocating.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sluice {

// any thread (a value)
struct ClientAddress {
  bool v6 = false;
  std::array<std::uint8_t, 16> bytes{};  // network order; IPv4 uses the first four
  bool operator==(const ClientAddress&) const = default;
};

// An IPv4 or IPv6 address as Go's net.ParseIP reads it (dotted decimal
// without leading zeros, RFC 4291 text, no zone). An IPv4-mapped IPv6
// address is the IPv4 address: ingress-nginx prints it so, and nginx's
// access module checks such a client against the IPv4 rules.
std::optional<ClientAddress> parse_client_address(std::string_view text);

// any thread (a value)
struct IpRange {
  ClientAddress network;    // the address with the bits past the prefix cleared
  std::uint8_t prefix_bits = 0;  // at most 32 (IPv4) or 128 (IPv6)

  // An IPv4 range never holds an IPv6 client nor the reverse (nginx's allow/deny).
  bool contains(const ClientAddress& address) const;
  bool operator==(const IpRange&) const = default;
};

// "address" (a host range) or "address/prefix" as Go's net.ParseCIDR reads
// it; the host bits of a CIDR are cleared, as ParseCIDR and nginx do.
std::optional<IpRange> parse_ip_range(std::string_view text);
// "10.0.0.0/8", "2001:db8::/32".
std::string describe(const IpRange& range);

}  // namespace sluice
