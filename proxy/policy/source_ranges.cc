// Allow and deny lists; see source_ranges.h.
#include "proxy/policy/source_ranges.h"

#include <algorithm>

namespace sluice {
namespace {

bool any_contains(const std::vector<IpRange>& ranges, const ClientAddress& address) {
  return std::any_of(ranges.begin(), ranges.end(), [&](const IpRange& r) { return r.contains(address); });
}

}  // namespace

// nginx checks the rules in order and the first match decides: the deny
// lines come first, then the allow lines, then "deny all".
RangeMatch match_source_ranges(const SourceRanges& ranges, const ClientAddress& client) {
  if (any_contains(ranges.deny, client)) return RangeMatch::denied;
  if (ranges.allow.empty()) return RangeMatch::declined;
  return any_contains(ranges.allow, client) ? RangeMatch::allowed : RangeMatch::denied;
}

Verdict check_source_ranges(const SourceRanges& ranges, const ConnectionFacts& connection) {
  if (match_source_ranges(ranges, connection.client_address) == RangeMatch::denied)
    return Verdict::respond(Phase::access, ProxyError::forbidden);
  return Verdict::proceed(Phase::access);
}

}  // namespace sluice
