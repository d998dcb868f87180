// Parsing and matching addresses; see ip_range.h.
#include "common/model/ip_range.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>

namespace sluice {
namespace {

constexpr std::array<std::uint8_t, 12> v4_mapped_prefix = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

bool is_v4_mapped(const ClientAddress& a) {
  return a.v6 && std::equal(v4_mapped_prefix.begin(), v4_mapped_prefix.end(), a.bytes.begin());
}

ClientAddress unmapped(ClientAddress a) {
  if (!is_v4_mapped(a)) return a;
  ClientAddress v4;
  std::copy(a.bytes.begin() + 12, a.bytes.end(), v4.bytes.begin());
  return v4;
}

// Clears every bit past `prefix`.
void mask(ClientAddress& a, unsigned prefix) {
  for (unsigned i = 0; i < 16; ++i) {
    const unsigned first_bit = i * 8;
    if (first_bit >= prefix) a.bytes[i] = 0;
    else if (prefix - first_bit < 8) a.bytes[i] &= static_cast<std::uint8_t>(0xff << (8 - (prefix - first_bit)));
  }
}

}  // namespace

std::optional<ClientAddress> parse_client_address(std::string_view text) {
  // inet_pton needs a terminated string; an address is short.
  char buf[64];
  if (text.empty() || text.size() >= sizeof buf) return std::nullopt;
  std::copy(text.begin(), text.end(), buf);
  buf[text.size()] = '\0';
  ClientAddress a;
  if (inet_pton(AF_INET, buf, a.bytes.data()) == 1) return a;  // glibc refuses leading zeros, as Go does
  a.v6 = true;
  if (inet_pton(AF_INET6, buf, a.bytes.data()) == 1) return unmapped(a);
  return std::nullopt;
}

bool IpRange::contains(const ClientAddress& address) const {
  if (address.v6 != network.v6) return false;
  const unsigned whole = prefix_bits / 8;
  if (!std::equal(network.bytes.begin(), network.bytes.begin() + whole, address.bytes.begin())) return false;
  const unsigned rest = prefix_bits % 8;
  if (rest == 0) return true;
  const auto m = static_cast<std::uint8_t>(0xff << (8 - rest));
  return (address.bytes[whole] & m) == network.bytes[whole];
}

std::optional<IpRange> parse_ip_range(std::string_view text) {
  const std::size_t slash = text.find('/');
  if (slash == std::string_view::npos) {
    auto a = parse_client_address(text);
    if (!a) return std::nullopt;
    return IpRange{*a, static_cast<std::uint8_t>(a->v6 ? 128 : 32)};
  }
  // ParseCIDR reads the address itself, unmapped only when the prefix
  // reaches into the IPv4 part (what IPNet.String then prints).
  char buf[64];
  const std::string_view address_text = text.substr(0, slash);
  if (address_text.empty() || address_text.size() >= sizeof buf) return std::nullopt;
  std::copy(address_text.begin(), address_text.end(), buf);
  buf[address_text.size()] = '\0';
  IpRange r;
  if (inet_pton(AF_INET, buf, r.network.bytes.data()) != 1) {
    r.network.v6 = true;
    if (inet_pton(AF_INET6, buf, r.network.bytes.data()) != 1) return std::nullopt;
  }
  const std::string_view digits = text.substr(slash + 1);
  unsigned prefix = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
  if (prefix > (r.network.v6 ? 128u : 32u)) return std::nullopt;
  mask(r.network, prefix);
  if (is_v4_mapped(r.network) && prefix >= 96) {
    r.network = unmapped(r.network);
    prefix -= 96;
  }
  r.prefix_bits = static_cast<std::uint8_t>(prefix);
  return r;
}

std::string describe(const IpRange& range) {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(range.network.v6 ? AF_INET6 : AF_INET, range.network.bytes.data(), buf, sizeof buf);
  return std::string(buf) + '/' + std::to_string(range.prefix_bits);
}

}  // namespace sluice
