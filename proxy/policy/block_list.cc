// block-*; see block_list.h.
#include "proxy/policy/block_list.h"

namespace sluice {
namespace {

// nginx's $http_user_agent / $http_referer: the field's value, "" when absent.
std::string_view field(const RequestView& request, HeaderKind kind) {
  return request.headers ? request.headers->find(kind) : std::string_view();
}

}  // namespace

Verdict check_blocked_agents(const ProxySettings& s, const RequestView& request) {
  if (!s.block_user_agents.empty() && matches_any(s.block_user_agents, field(request, HeaderKind::user_agent)))
    return Verdict::respond(Phase::request_headers, ProxyError::blocked, "user agent");
  if (!s.block_referers.empty() && matches_any(s.block_referers, field(request, HeaderKind::referer)))
    return Verdict::respond(Phase::request_headers, ProxyError::blocked, "referer");
  return Verdict::proceed(Phase::request_headers);
}

Verdict check_blocked_address(const ProxySettings& s, const ConnectionFacts& connection) {
  if (s.block_cidrs.empty()) return Verdict::proceed(Phase::access);
  const auto address = parse_ip_address(connection.client_ip);  // no allocation
  if (!address) return Verdict::proceed(Phase::access);
  for (const IpNetwork& n : s.block_cidrs)
    if (n.contains(*address)) return Verdict::respond(Phase::access, ProxyError::blocked, "client address");
  return Verdict::proceed(Phase::access);
}

}  // namespace sluice
