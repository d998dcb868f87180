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

namespace sluice {

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

  // A stable text rendering (sorted), for golden tests and /debug/snapshot.
  std::string dump() const;

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

  std::shared_ptr<const RouteTable> build(std::uint64_t generation) &&;

 private:
  RouteTable::PathIndex& index_for(const std::string& host);

  RouteTable table_;
  StringMap<std::uint32_t> backend_by_name_;
};

// Strips a trailing '/' from a Prefix path (keeping the root "/").
std::string normalize_prefix(std::string_view path);

}  // namespace sluice
