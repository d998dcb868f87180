// Proxy-wide settings the controller reads from its ConfigMap (--configmap)
// and hands every worker inside the snapshot, since the controller and the
// proxy share nothing else: client address rules, server-level blocks,
// global header edits, HSTS, connection limits.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/model/ip_network.h"
#include "common/model/policy.h"

namespace re2 {
class RE2;
}

namespace sluice {

// any thread (immutable). One entry of block-user-agents / block-referers,
// as nginx's `map` matches it: a plain string equals the whole value without
// regard to case; "~re" is a case-sensitive regex search, "~*re" a
// case-insensitive one (compiled by RE2 when the controller built it).
struct ValuePattern {
  std::string text;                      // as written, "~" included
  std::shared_ptr<const re2::RE2> regex;  // null: a plain string
  bool operator==(const ValuePattern& o) const { return text == o.text; }
};

// True when `value` matches any of `patterns`.
bool matches_any(const std::vector<ValuePattern>& patterns, std::string_view value);

// any thread (immutable). Who the client is, as nginx's realip module and
// ingress-nginx's template decide it.
struct ClientAddressSettings {
  // use-forwarded-headers or enable-real-ip: take the client's address from
  // `header` when the peer is in `trusted` (real_ip_recursive on).
  bool real_ip = false;
  std::string header = "X-Forwarded-For";  // forwarded-for-header
  std::vector<IpNetwork> trusted;          // proxy-real-ip-cidr (default 0.0.0.0/0)
  // use-forwarded-headers: X-Forwarded-Proto/Host/Port from the client are kept.
  bool use_forwarded_headers = false;
  // use-forwarded-headers and compute-full-forwarded-for: X-Forwarded-For
  // upstream is the client's chain plus the peer, else just the client.
  bool full_forwarded_for = false;
  bool operator==(const ClientAddressSettings&) const = default;
};

// any thread (immutable)
struct ProxySettings {
  // True when a ConfigMap (--configmap) set these; false: the flags decide
  // what the ConfigMap would (the --hsts flag).
  bool from_configmap = false;
  // hsts: HTTPS responses of routes that say nothing else carry it.
  std::optional<HstsPolicy> hsts;
  ClientAddressSettings client_address;
  // Server-level checks, answered 403 (block-cidrs, block-user-agents, block-referers).
  std::vector<IpNetwork> block_cidrs;
  std::vector<ValuePattern> block_user_agents;
  std::vector<ValuePattern> block_referers;
  // keep-alive, keep-alive-requests, client-header-timeout, client-body-timeout:
  // unset means the flag's value. Read when a connection starts, so a change
  // applies to new connections.
  std::optional<std::chrono::milliseconds> keepalive_timeout;
  std::optional<std::uint64_t> keepalive_requests;
  std::optional<std::chrono::milliseconds> client_header_timeout;
  std::optional<std::chrono::milliseconds> client_body_timeout;
  // upstream-keepalive-*: the idle pool. Only connections "0" (keep none)
  // is applied; the pool's per-endpoint size is fixed when a worker starts.
  std::optional<std::uint32_t> upstream_keepalive_connections;
  std::optional<std::chrono::milliseconds> upstream_keepalive_timeout;
  std::optional<std::uint64_t> upstream_keepalive_requests;
  // worker-shutdown-timeout: read once, at SIGTERM.
  std::optional<std::chrono::milliseconds> shutdown_timeout;

  bool blocks_anything() const {
    return !block_cidrs.empty() || !block_user_agents.empty() || !block_referers.empty();
  }
  bool operator==(const ProxySettings&) const = default;
};

// A stable text form for /debug/snapshot and golden tests.
std::string describe(const ProxySettings& settings);

}  // namespace sluice
