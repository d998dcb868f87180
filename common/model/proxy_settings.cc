// Matching block patterns and the text form of ProxySettings; see proxy_settings.h.
#include "common/model/proxy_settings.h"

#include <re2/re2.h>

#include <type_traits>

#include "common/strings.h"

namespace sluice {
namespace {

void put_networks(std::string& out, const char* name, const std::vector<IpNetwork>& list) {
  if (list.empty()) return;
  out += name;
  for (const IpNetwork& n : list) out += " " + to_string(n);
  out += "\n";
}

// Length-prefixed, so a pattern holding a space cannot run into the next.
void put_patterns(std::string& out, const char* name, const std::vector<ValuePattern>& list) {
  if (list.empty()) return;
  out += name;
  for (const ValuePattern& p : list) out += " " + std::to_string(p.text.size()) + ":" + p.text;
  out += "\n";
}

template <typename T>
void put_optional(std::string& out, const char* name, const std::optional<T>& v) {
  if (!v) return;
  if constexpr (std::is_same_v<T, std::chrono::milliseconds>)
    out += std::string(name) + " " + std::to_string(v->count()) + "ms\n";
  else
    out += std::string(name) + " " + std::to_string(*v) + "\n";
}

}  // namespace

bool matches_any(const std::vector<ValuePattern>& patterns, std::string_view value) {
  for (const ValuePattern& p : patterns) {
    if (p.regex ? RE2::PartialMatch(value, *p.regex) : iequals(value, p.text)) return true;
  }
  return false;
}

std::string describe(const ProxySettings& s) {
  std::string out = s.from_configmap ? "settings from configmap\n" : "settings from flags\n";
  if (s.hsts)
    out += "hsts max-age=" + std::to_string(s.hsts->max_age_seconds) +
           (s.hsts->include_subdomains ? " includeSubDomains" : "") + (s.hsts->preload ? " preload" : "") + "\n";
  const ClientAddressSettings& c = s.client_address;
  if (c.real_ip) {
    out += "real-ip from " + std::to_string(c.header.size()) + ":" + c.header + "\n";
    put_networks(out, "real-ip trusted", c.trusted);
  }
  if (c.use_forwarded_headers) out += "use-forwarded-headers\n";
  if (c.full_forwarded_for) out += "compute-full-forwarded-for\n";
  put_networks(out, "block-cidrs", s.block_cidrs);
  put_patterns(out, "block-user-agents", s.block_user_agents);
  put_patterns(out, "block-referers", s.block_referers);
  put_optional(out, "keep-alive", s.keepalive_timeout);
  put_optional(out, "keep-alive-requests", s.keepalive_requests);
  put_optional(out, "client-header-timeout", s.client_header_timeout);
  put_optional(out, "client-body-timeout", s.client_body_timeout);
  put_optional(out, "upstream-keepalive-connections", s.upstream_keepalive_connections);
  put_optional(out, "upstream-keepalive-timeout", s.upstream_keepalive_timeout);
  put_optional(out, "upstream-keepalive-requests", s.upstream_keepalive_requests);
  put_optional(out, "worker-shutdown-timeout", s.shutdown_timeout);
  return out;
}

}  // namespace sluice
