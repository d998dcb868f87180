// allowlist-source-range / denylist-source-range (access phase): the
// allow and deny lines ingress-nginx renders in the location, as nginx's
// access module applies them to the client address.
#pragma once

#include "common/model/policy.h"
#include "proxy/http/phase.h"
#include "proxy/http/request_view.h"

namespace sluice {

// What nginx's access module answers: a rule matched and allows or denies,
// or no rule matched (a deny list alone that does not hold the client),
// which `satisfy any` tells apart from allowed.
enum class RangeMatch : std::uint8_t { declined, allowed, denied };
RangeMatch match_source_ranges(const SourceRanges& ranges, const ClientAddress& client);

// 403 when the address is in a deny range, or when there is an allow list
// and the address is in none of its ranges. A connection whose address did
// not parse is treated as 0.0.0.0 (it cannot happen with a TCP peer).
Verdict check_source_ranges(const SourceRanges& ranges, const ConnectionFacts& connection);

}  // namespace sluice
