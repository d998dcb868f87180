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
  bool ssl_redirect = false;  // plain-HTTP requests get 308 to https:// (host has TLS)
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
  const std::vector<Route>& routes() const { return routes_; }
  const std::vector<Backend>& backends() const { return backends_; }
  std::size_t host_count() const { return hosts_.size(); }

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

  struct PathIndex {
    StringMap<std::uint32_t> exact;   // path -> route index
    StringMap<std::uint32_t> prefix;  // normalised prefix -> route index
    std::uint32_t fallback = none;    // the host's default backend route
    std::uint32_t match(std::string_view path) const;
  };
  const PathIndex* select_host(std::string_view normalized_host) const;

  std::uint64_t generation_ = 0;
  std::vector<Route> routes_;
  std::vector<Backend> backends_;
  StringMap<PathIndex> hosts_;      // exact host names
  StringMap<PathIndex> wildcards_;  // "*.example.com" keyed by "example.com"
  PathIndex catch_all_;             // rules without a host, and the global default
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
  // False when an earlier route already holds this host/path/match (conflict).
  bool add_route(Route r);
  // Serves what no path of `r.host` matches ("" = every unmatched request).
  // False when the host already has a default.
  bool set_default(Route r);
  // Serves TLS for `host` (exact or "*.x"); false when the host has one already.
  bool add_certificate(const std::string& host, std::shared_ptr<const TlsCertificate> cert);
  // For SNI names no host covers, and handshakes without SNI.
  void set_default_certificate(std::shared_ptr<const TlsCertificate> cert);

  std::shared_ptr<const RouteTable> build(std::uint64_t generation) &&;

 private:
  RouteTable::PathIndex& index_for(const std::string& host);
  std::uint32_t certificate_index(std::shared_ptr<const TlsCertificate> cert);

  RouteTable table_;
  StringMap<std::uint32_t> backend_by_name_;
  std::unordered_map<const TlsCertificate*, std::uint32_t> certificate_by_pointer_;
};

// Strips a trailing '/' from a Prefix path (keeping the root "/").
std::string normalize_prefix(std::string_view path);

}  // namespace sluice
