// The value forms of the limits group, on their own so a table can test
// them: Go's strconv.Atoi, nginx's proxy_next_upstream list as ingress-nginx
// validates it, Go's net.ParseCIDR/ParseIP lists, and the zone an Ingress's
// rate limits share.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "common/model/policy.h"

namespace sluice::controller {

// strconv.Atoi on a 64-bit platform: an optional sign, then decimal digits.
std::optional<std::int64_t> parse_go_int(std::string_view text);
// ingress-nginx's validUpstreamAnnotation
// (^((error|timeout|...|off)\s?)+$) and then nginx's own reading of the
// words buildNextUpstream splits on ' ': NextUpstream bits ("off" → 0), or
// nullopt when either would refuse it.
std::optional<std::uint16_t> parse_next_upstream(std::string_view text);
// net.ParseCIDRs: comma-separated, each trimmed, an address or a CIDR; ""
// is the empty list. nullopt when one entry is neither.
std::optional<std::vector<CidrRange>> parse_cidr_list(std::string_view text);
std::optional<CidrRange> parse_cidr(std::string_view text);
// ratelimit's zone name is namespace_name_uid: one per Ingress. FNV-1a of
// the three, lengths included, so its routes share buckets and no other
// Ingress does.
std::uint64_t zone_id(std::string_view ns, std::string_view name, std::string_view uid);

}  // namespace sluice::controller
