// Parsing and matching IP networks; see ip_network.h.
#include "common/model/ip_network.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace sluice {
namespace {

constexpr std::size_t max_text = INET6_ADDRSTRLEN;  // 46, with the terminator

}  // namespace

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (text.empty() || text.size() >= max_text) return std::nullopt;
  char buf[max_text];
  std::memcpy(buf, text.data(), text.size());
  buf[text.size()] = '\0';
  IpAddress a;
  if (text.find(':') == std::string_view::npos) {
    in_addr v4{};
    if (inet_pton(AF_INET, buf, &v4) != 1) return std::nullopt;
    a.bytes[10] = a.bytes[11] = 0xff;
    std::memcpy(&a.bytes[12], &v4, 4);
    return a;
  }
  if (inet_pton(AF_INET6, buf, a.bytes.data()) != 1) return std::nullopt;
  return a;
}

bool IpNetwork::contains(const IpAddress& a) const {
  const std::size_t whole = bits / 8;
  if (std::memcmp(a.bytes.data(), address.bytes.data(), whole) != 0) return false;
  if (bits % 8 == 0) return true;
  const std::uint8_t mask = static_cast<std::uint8_t>(0xff00 >> (bits % 8));
  return (a.bytes[whole] & mask) == address.bytes[whole];
}

std::optional<IpNetwork> parse_ip_network(std::string_view text) {
  const auto slash = text.find('/');
  auto address = parse_ip_address(text.substr(0, slash));
  if (!address) return std::nullopt;
  const bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
  unsigned bits = v4 ? 32 : 128;
  if (slash != std::string_view::npos) {
    std::string_view digits = text.substr(slash + 1);
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() || bits > (v4 ? 32u : 128u))
      return std::nullopt;
  }
  IpNetwork n;
  n.bits = static_cast<std::uint8_t>(v4 ? bits + 96 : bits);
  // nginx's ngx_ptocidr clears the host bits (and only warns about them).
  for (std::size_t i = 0; i < 16; ++i) {
    const unsigned keep = n.bits >= (i + 1) * 8 ? 8 : n.bits > i * 8 ? n.bits - i * 8 : 0;
    n.address.bytes[i] = static_cast<std::uint8_t>(address->bytes[i] & (0xff00 >> keep));
  }
  return n;
}

std::string to_string(const IpNetwork& n) {
  char buf[max_text];
  const bool v4 = n.bits >= 96 && std::memcmp(n.address.bytes.data(), "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0;
  if (v4) {
    inet_ntop(AF_INET, &n.address.bytes[12], buf, sizeof buf);
    return std::string(buf) + "/" + std::to_string(n.bits - 96);
  }
  inet_ntop(AF_INET6, n.address.bytes.data(), buf, sizeof buf);
  return std::string(buf) + "/" + std::to_string(n.bits);
}

}  // namespace sluice
