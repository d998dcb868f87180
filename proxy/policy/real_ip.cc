// The realip module's walk; see real_ip.h.
#include "proxy/policy/real_ip.h"

#include <arpa/inet.h>

#include <cstring>

#include "common/strings.h"

namespace sluice {
namespace {

bool trusted(const ClientAddressSettings& s, const IpAddress& a) {
  for (const IpNetwork& n : s.trusted)
    if (n.contains(a)) return true;
  return false;
}

// One list entry as ngx_parse_addr_port takes it: "192.0.2.1", "192.0.2.1:80",
// "2001:db8::1", "[2001:db8::1]:80". `v6` says which text form to print.
std::optional<IpAddress> parse_entry(std::string_view e, bool& v6) {
  if (!e.empty() && e.front() == '[') {
    const auto close = e.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    e = e.substr(1, close - 1);
  } else if (const auto colon = e.find(':'); colon != std::string_view::npos && e.find(':', colon + 1) == e.npos) {
    e = e.substr(0, colon);  // IPv4 with a port
  }
  v6 = e.find(':') != std::string_view::npos;
  return parse_ip_address(e);
}

// ngx_http_get_forwarded_addr_internal over one field's value, right to
// left. Returns false once an entry is untrusted or unreadable (the walk
// stops there); `current` is the answer so far.
bool walk(const ClientAddressSettings& s, std::string_view list, IpAddress& current, bool& current_v6,
          bool& changed) {
  while (true) {
    while (!list.empty() && (list.back() == ' ' || list.back() == ',')) list.remove_suffix(1);
    if (list.empty()) return true;
    std::size_t start = list.find_last_of(", ");
    start = start == std::string_view::npos ? 0 : start + 1;
    bool v6 = false;
    auto a = parse_entry(list.substr(start), v6);
    if (!a) return false;
    current = *a;
    current_v6 = v6;
    changed = true;
    if (!trusted(s, current)) return false;
    list = list.substr(0, start);
  }
}

}  // namespace

std::string_view real_client_address(const ClientAddressSettings& s, std::string_view peer, const HeaderList* headers,
                                     ClientAddressText& out) {
  if (!s.real_ip || !headers) return peer;
  auto address = parse_ip_address(peer);
  if (!address || !trusted(s, *address)) return peer;
  bool v6 = false, changed = false;
  for (std::size_t i = headers->size(); i-- > 0;) {
    if (!iequals(headers->name(i), s.header)) continue;
    if (!walk(s, headers->value(i), *address, v6, changed)) break;
  }
  if (!changed) return peer;
  const bool mapped = !v6;
  if (!inet_ntop(mapped ? AF_INET : AF_INET6, mapped ? &address->bytes[12] : address->bytes.data(), out.text.data(),
                 out.text.size()))
    return peer;
  return {out.text.data(), std::strlen(out.text.data())};
}

}  // namespace sluice
