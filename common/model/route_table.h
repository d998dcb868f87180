// The immutable routing snapshot every worker reads: host index, per-host
// path index and backends. Built once by RouteTableBuilder, never mutated.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/model/backend.h"
#include "common/model/flat_key_table.h"
#include "common/model/policy.h"
#include "common/model/proxy_settings.h"
#include "common/model/tls_certificate.h"

namespace sluice {

struct RouteExplanation;  // common/model/route_explain.h

enum class PathMatch : std::uint8_t { exact, prefix };

// any thread (immutable once in a RouteTable)
struct Route {
  std::string host;   // lowercased; "" matches every host; "*.example.com" one extra label
  std::string path;   // Exact: as written; Prefix: without trailing '/', except the root "/"
  PathMatch match = PathMatch::prefix;
  std::uint32_t backend = 0;  // index into RouteTable::backends()
  std::string ingress_namespace;
  std::string ingress_name;
  bool is_default = false;    // from spec.defaultBackend
  std::uint32_t policy = 0;   // index into RouteTable::policies(); 0 is the empty policy
};

struct RouteMatch {
  const Route* route = nullptr;      // null: nothing matched (404)
  const Backend* backend = nullptr;  // set whenever route is
};

struct TransparentHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
struct TransparentEqual {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};
template <typename V>
using StringMap = std::unordered_map<std::string, V, TransparentHash, TransparentEqual>;

// any thread (immutable)
class RouteTable {
 public:
  // `host` is a raw Host header value (port and case are ignored); `path` is
  // the request target's path, with or without a query string.
  RouteMatch match(std::string_view host, std::string_view path) const;

  std::uint64_t generation() const { return generation_; }
  // A deterministic 64-bit hash of everything the table serves (routes,
  // their policies, backends and endpoints, certificates) but not its
  // generation: two tables built from the same content hash alike, so a
  // re-translation that changed nothing keeps it. Computed once by build();
  // /metrics exports it as nginx_ingress_controller_config_hash.
  std::uint64_t content_hash() const { return content_hash_; }
  const std::vector<Route>& routes() const { return routes_; }
  const std::vector<Backend>& backends() const { return backends_; }
  // Deduplicated: equal policies share one index. [0] is RoutePolicy{}.
  const std::vector<RoutePolicy>& policies() const { return policies_; }
  const RoutePolicy& policy(const Route& r) const { return policies_[r.policy]; }
  std::size_t host_count() const { return exact_host_count_; }
  // The proxy-wide settings (the controller's ConfigMap) this snapshot carries.
  const ProxySettings& settings() const { return settings_; }

  // The certificate for a TLS handshake's SNI name: exact host, then a
  // one-label wildcard, then the default certificate; null when none.
  const TlsCertificate* certificate_for(std::string_view server_name) const;
  const std::vector<std::shared_ptr<const TlsCertificate>>& certificates() const { return certificates_; }

  // A stable text rendering (sorted), for golden tests and /debug/snapshot.
  std::string dump() const;

  // For /debug (route_explain.cc): match() spelled out rule by rule, and the
  // certificate configured for a rule host ("a.b", "*.b"; no default).
  RouteExplanation explain(std::string_view host, std::string_view path) const;
  const TlsCertificate* host_certificate(std::string_view rule_host) const;

 private:
  friend class RouteTableBuilder;
  static constexpr std::uint32_t none = UINT32_MAX;

  // What a hit returns, stored where the lookup finds it, so match() never
  // reads the (large, cold) Route to learn its backend.
  struct Target {
    std::uint32_t route = none;
    std::uint32_t backend = none;
  };
  // One rule host (an exact name or a wildcard's domain) or the catch-all:
  // all the path lookup needs before it probes paths_, small enough that
  // its slot in hosts_ keeps a host name of up to 32 bytes in the same
  // cache line. The bit masks let it skip probes that cannot hit (a false
  // positive costs one probe, never a wrong answer).
  struct HostEntry {
    std::uint32_t exact_lengths = 0;  // length_bit() of each Exact path
    std::uint32_t prefix_depths = 0;  // depth_bit() of each Prefix path except "/"
    Target root;                      // Prefix "/", the rule most hosts have
    std::uint32_t id = 0;             // tags this host's keys in paths_; index of fallbacks_
  };
  // Tags of hosts_ keys; paths_ keys are tagged path_tag(host id, match).
  static constexpr std::uint32_t exact_host_tag = 0;
  static constexpr std::uint32_t wildcard_domain_tag = 1;
  static std::uint32_t path_tag(std::uint32_t host_id, PathMatch m) {
    return host_id << 1 | (m == PathMatch::prefix ? 1u : 0u);
  }
  // A path's number of '/' (capped) and its length, as one bit each.
  static std::uint32_t depth_bit(std::size_t slashes) { return std::uint32_t{1} << (slashes < 31 ? slashes : 31); }
  static std::uint32_t length_bit(std::size_t size) { return std::uint32_t{1} << (size % 32); }

  struct HostHit {
    const HostEntry* entry = nullptr;  // null: no rule names the host
    bool wildcard = false;
  };
  HostHit select_host(std::string_view normalized_host) const;
  // The host's Exact path, else its longest Prefix, else its default.
  Target match_path(const HostEntry& host, std::string_view path) const;
  // The route for a request path once the host is selected (null: no rule
  // names it); `global_default` is set when the global default took it.
  Target route_for(const HostEntry* per_host, std::string_view path, bool* global_default = nullptr) const;
  Target longest_prefix(const HostEntry& host, std::string_view path) const;
  std::uint64_t hash_content() const;  // route_table_content_hash.cc
  const Target* find_path(const HostEntry& host, PathMatch m, std::string_view path) const;

  std::uint64_t generation_ = 0;
  std::uint64_t content_hash_ = 0;
  std::vector<Route> routes_;
  std::vector<Backend> backends_;
  std::vector<RoutePolicy> policies_{RoutePolicy{}};
  ProxySettings settings_;
  // Exact host names and wildcard domains ("*.example.com" keyed by
  // "example.com"), then every path of every host in one table: a lookup
  // reads about one cache line per probe whatever the number of rules.
  FlatKeyTable<HostEntry> hosts_;
  FlatKeyTable<Target> paths_;      // Exact paths, and Prefix paths except "/"
  HostEntry catch_all_;             // rules without a host (id 0)
  std::vector<Target> fallbacks_{Target{}};  // by host id: its default backend; [0] the global one
  std::size_t exact_host_count_ = 0;
  bool has_wildcards_ = false;      // else a missed host needs no second probe
  std::vector<std::shared_ptr<const TlsCertificate>> certificates_;
  StringMap<std::uint32_t> tls_hosts_;      // exact host -> certificate index
  StringMap<std::uint32_t> tls_wildcards_;  // "*.example.com" keyed by "example.com"
  std::uint32_t default_certificate_ = none;
};

// controller-confined. Fills a table in precedence order: when two routes
// claim the same host, path and match, the first one added wins.
class RouteTableBuilder {
 public:
  // Returns the index of the backend with b.name, adding it if new.
  std::uint32_t add_backend(Backend b);
  // The index of a policy equal to `p`, adding it if new (for Route::policy).
  std::uint32_t add_policy(RoutePolicy p);
  // False when an earlier route already holds this host/path/match (conflict).
  bool add_route(Route r);
  // Serves what no path of `r.host` matches ("" = every unmatched request).
  // False when the host already has a default.
  bool set_default(Route r);
  // Serves TLS for `host` (exact or "*.x"); false when the host has one already.
  bool add_certificate(const std::string& host, std::shared_ptr<const TlsCertificate> cert);
  // For SNI names no host covers, and handshakes without SNI.
  void set_default_certificate(std::shared_ptr<const TlsCertificate> cert);
  void set_settings(ProxySettings settings) { table_.settings_ = std::move(settings); }

  std::shared_ptr<const RouteTable> build(std::uint64_t generation) &&;

 private:
  // One host's rules while the table is being filled; build() turns them
  // into the flat indexes.
  struct HostRules {
    StringMap<std::uint32_t> exact;   // path -> route index
    StringMap<std::uint32_t> prefix;  // normalised prefix -> route index
    std::uint32_t fallback = RouteTable::none;
  };
  HostRules& rules_for(const std::string& host);
  RouteTable::HostEntry compile(const HostRules& rules, std::uint32_t id,
                                std::vector<FlatKeyTable<RouteTable::Target>::Entry>& paths);
  std::uint32_t certificate_index(std::shared_ptr<const TlsCertificate> cert);

  RouteTable table_;
  StringMap<HostRules> hosts_;      // exact host names
  StringMap<HostRules> wildcards_;  // "*.example.com" keyed by "example.com"
  HostRules catch_all_;
  StringMap<std::uint32_t> backend_by_name_;
  StringMap<std::uint32_t> policy_by_text_{{describe(RoutePolicy{}), 0}};
  std::unordered_map<const TlsCertificate*, std::uint32_t> certificate_by_pointer_;
};

// Strips a trailing '/' from a Prefix path (keeping the root "/").
std::string normalize_prefix(std::string_view path);

// The path of a request target: everything before the query or fragment.
std::string_view strip_query(std::string_view target);

}  // namespace sluice
