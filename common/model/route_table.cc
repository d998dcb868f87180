// Route lookup: host by hash (exact, then one-label wildcard, then
// catch-all), then path by hash over the request's own segment boundaries,
// so the cost depends on the request, never on the number of rules. Both
// probes go into flat tables (flat_key_table.h) so that, with many rules,
// the cache misses per lookup stay few as well.
#include "common/model/route_table.h"

#include <algorithm>
#include <cassert>
#include <sstream>

#include "common/model/key_hash.h"
#include "common/strings.h"

namespace sluice {

std::string normalize_prefix(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

std::string_view strip_query(std::string_view target) {
  for (std::size_t i = 0; i < target.size(); ++i)
    if (target[i] == '?' || target[i] == '#') return target.substr(0, i);
  return target;
}

RouteTable::HostHit RouteTable::select_host(std::string_view host) const {
  if (const HostEntry* e = hosts_.find(key_hash(exact_host_tag, host), exact_host_tag, host)) return {e, false};
  if (has_wildcards_) {
    auto dot = host.find('.');
    if (dot != std::string_view::npos && dot > 0) {
      std::string_view domain = host.substr(dot + 1);
      if (const HostEntry* e = hosts_.find(key_hash(wildcard_domain_tag, domain), wildcard_domain_tag, domain))
        return {e, true};
    }
  }
  return {};
}

const RouteTable::Target* RouteTable::find_path(const HostEntry& host, PathMatch m, std::string_view path) const {
  const std::uint32_t tag = path_tag(host.id, m);
  return paths_.find(key_hash(tag, path), tag, path);
}

RouteTable::Target RouteTable::longest_prefix(const HostEntry& host, std::string_view path) const {
  // Candidates, longest first: the path without trailing '/', then each
  // shorter run of whole segments, then the root. Each step drops the last
  // '/', so `slashes` follows the candidate without rescanning it.
  if (host.prefix_depths == 0) return path.starts_with('/') ? host.root : Target{};  // "/" is the only candidate
  std::string_view candidate = path;
  while (candidate.size() > 1 && candidate.back() == '/') candidate.remove_suffix(1);
  std::size_t slashes = std::count(candidate.begin(), candidate.end(), '/');
  while (!candidate.empty()) {
    if (candidate.size() == 1 && candidate[0] == '/') return host.root;
    if (host.prefix_depths & depth_bit(slashes)) {
      if (const Target* t = find_path(host, PathMatch::prefix, candidate)) return *t;
    }
    if (candidate.size() == 1) break;
    auto slash = candidate.rfind('/');
    if (slash == std::string_view::npos) break;
    candidate = candidate.substr(0, slash == 0 ? 1 : slash);
    --slashes;
  }
  return {};
}

RouteTable::Target RouteTable::match_path(const HostEntry& host, std::string_view path) const {
  if (host.exact_lengths & length_bit(path.size())) {
    if (const Target* t = find_path(host, PathMatch::exact, path)) return *t;
  }
  if (Target t = longest_prefix(host, path); t.route != none) return t;
  return fallbacks_[host.id];
}

// A known host never falls through to the rules without a host (as in
// ingress-nginx, where each host is its own server block): an unmatched
// path goes to that host's default, then the global default backend.
RouteTable::Target RouteTable::route_for(const HostEntry* per_host, std::string_view path,
                                         bool* global_default) const {
  if (!per_host) return match_path(catch_all_, path);
  if (Target t = match_path(*per_host, path); t.route != none) return t;
  if (global_default) *global_default = fallbacks_[catch_all_.id].route != none;
  return fallbacks_[catch_all_.id];
}

RouteMatch RouteTable::match(std::string_view host, std::string_view path) const {
  path = strip_query(path);
  char buf[max_host_length];
  const std::string_view normalized = normalize_host(host, buf);
  const Target t = route_for(select_host(normalized).entry, path);
  if (t.route == none) return {};
  return {&routes_[t.route], &backends_[t.backend]};
}

const TlsCertificate* RouteTable::certificate_for(std::string_view server_name) const {
  char buf[max_host_length];
  std::string_view name = normalize_host(server_name, buf);
  if (auto it = tls_hosts_.find(name); it != tls_hosts_.end()) return certificates_[it->second].get();
  if (auto dot = name.find('.'); dot != std::string_view::npos && dot > 0) {
    if (auto it = tls_wildcards_.find(name.substr(dot + 1)); it != tls_wildcards_.end())
      return certificates_[it->second].get();
  }
  return default_certificate_ == none ? nullptr : certificates_[default_certificate_].get();
}

std::string RouteTable::dump() const {
  std::vector<std::string> lines;
  for (const Route& r : routes_) {
    std::ostringstream line;
    line << (r.host.empty() ? "*" : r.host) << ' '
         << (r.is_default ? "default" : (r.match == PathMatch::exact ? "exact" : "prefix")) << ' '
         << (r.is_default ? "-" : r.path) << " -> " << backends_[r.backend].name << " ("
         << r.ingress_namespace << '/' << r.ingress_name << ')';
    lines.push_back(line.str());
  }
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const auto& l : lines) out += l + '\n';
  for (const Backend& b : backends_) {
    out += "backend " + b.name + ":";
    if (b.is_external()) out += " external " + b.external_name + ':' + std::to_string(b.external_port);
    for (const Endpoint& e : b.endpoints) out += ' ' + e.name;
    out += '\n';
  }
  if (settings_.from_configmap) out += describe(settings_);
  return out;
}

}  // namespace sluice
