// The client address (use-forwarded-headers, enable-real-ip,
// forwarded-for-header, proxy-real-ip-cidr): nginx's realip module with
// `real_ip_recursive on`, as ingress-nginx's template configures it. What
// it returns is $remote_addr from then on: X-Real-IP and X-Forwarded-For
// upstream, block-cidrs, the access log.
#pragma once

#include <array>
#include <string_view>

#include "common/model/proxy_settings.h"
#include "proxy/http/header_list.h"

namespace sluice {

// worker-confined. Room for one address's text, owned by the exchange, so
// the answer allocates nothing.
struct ClientAddressText {
  std::array<char, 48> text{};
};

// `peer` when real IP is off, the peer is not in proxy-real-ip-cidr, or the
// header is absent or holds no address; else, reading the header's fields
// last to first and each list right to left, the first address that is not
// itself trusted (or the leftmost when all are), without its port. The
// result views `peer` or `out`.
std::string_view real_client_address(const ClientAddressSettings& settings, std::string_view peer,
                                     const HeaderList* headers, ClientAddressText& out);

}  // namespace sluice
