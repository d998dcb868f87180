// RouteTableBuilder: collects routes per host in ordinary maps (conflicts
// are decided there, first added wins), then build() lays them out in the
// flat indexes RouteTable::match probes.
#include <algorithm>
#include <cassert>

#include "common/model/key_hash.h"
#include "common/model/route_table.h"

namespace sluice {

std::uint32_t RouteTableBuilder::add_backend(Backend b) {
  if (auto it = backend_by_name_.find(b.name); it != backend_by_name_.end()) return it->second;
  auto index = static_cast<std::uint32_t>(table_.backends_.size());
  backend_by_name_.emplace(b.name, index);
  table_.backends_.push_back(std::move(b));
  return index;
}

std::uint32_t RouteTableBuilder::add_policy(RoutePolicy p) {
  std::string text = describe(p);
  if (auto it = policy_by_text_.find(text); it != policy_by_text_.end()) return it->second;
  auto index = static_cast<std::uint32_t>(table_.policies_.size());
  policy_by_text_.emplace(std::move(text), index);
  table_.policies_.push_back(std::move(p));
  return index;
}

RouteTableBuilder::HostRules& RouteTableBuilder::rules_for(const std::string& host) {
  if (host.empty()) return catch_all_;
  if (host.starts_with("*.")) return wildcards_[host.substr(2)];
  return hosts_[host];
}

bool RouteTableBuilder::add_route(Route r) {
  assert(r.backend < table_.backends_.size());  // the translator adds backends first
  assert(r.policy < table_.policies_.size());
  if (r.match == PathMatch::prefix) r.path = normalize_prefix(r.path);
  auto& rules = rules_for(r.host);
  auto& map = r.match == PathMatch::exact ? rules.exact : rules.prefix;
  auto position = static_cast<std::uint32_t>(table_.routes_.size());
  if (!map.emplace(r.path, position).second) return false;
  table_.routes_.push_back(std::move(r));
  return true;
}

bool RouteTableBuilder::set_default(Route r) {
  assert(r.backend < table_.backends_.size());
  auto& rules = rules_for(r.host);
  if (rules.fallback != RouteTable::none) return false;
  rules.fallback = static_cast<std::uint32_t>(table_.routes_.size());
  r.is_default = true;
  table_.routes_.push_back(std::move(r));
  return true;
}

std::uint32_t RouteTableBuilder::certificate_index(std::shared_ptr<const TlsCertificate> cert) {
  auto [it, added] = certificate_by_pointer_.emplace(cert.get(), static_cast<std::uint32_t>(table_.certificates_.size()));
  if (added) table_.certificates_.push_back(std::move(cert));
  return it->second;
}

bool RouteTableBuilder::add_certificate(const std::string& host, std::shared_ptr<const TlsCertificate> cert) {
  auto& map = host.starts_with("*.") ? table_.tls_wildcards_ : table_.tls_hosts_;
  std::string key = host.starts_with("*.") ? host.substr(2) : host;
  if (map.contains(key)) return false;
  map.emplace(std::move(key), certificate_index(std::move(cert)));
  return true;
}

void RouteTableBuilder::set_default_certificate(std::shared_ptr<const TlsCertificate> cert) {
  table_.default_certificate_ = certificate_index(std::move(cert));
}

// The flat form of one host's rules: its entry for hosts_, its paths for
// paths_ (appended to `paths`) and its default in fallbacks_.
RouteTable::HostEntry RouteTableBuilder::compile(const HostRules& rules, std::uint32_t id,
                                                  std::vector<FlatKeyTable<RouteTable::Target>::Entry>& paths) {
  using Target = RouteTable::Target;
  auto target = [&](std::uint32_t route) {
    return route == RouteTable::none ? Target{} : Target{route, table_.routes_[route].backend};
  };
  RouteTable::HostEntry e;
  e.id = id;
  table_.fallbacks_.push_back(target(rules.fallback));
  for (const auto& [path, route] : rules.exact) {
    e.exact_lengths |= RouteTable::length_bit(path.size());
    const auto tag = RouteTable::path_tag(id, PathMatch::exact);
    paths.push_back({key_hash(tag, path), tag, path, target(route)});
  }
  for (const auto& [path, route] : rules.prefix) {
    if (path == "/") {
      e.root = target(route);
      continue;
    }
    e.prefix_depths |= RouteTable::depth_bit(static_cast<std::size_t>(std::count(path.begin(), path.end(), '/')));
    const auto tag = RouteTable::path_tag(id, PathMatch::prefix);
    paths.push_back({key_hash(tag, path), tag, path, target(route)});
  }
  return e;
}

std::shared_ptr<const RouteTable> RouteTableBuilder::build(std::uint64_t generation) && {
  table_.generation_ = generation;
  table_.exact_host_count_ = hosts_.size();
  table_.has_wildcards_ = !wildcards_.empty();
  std::vector<FlatKeyTable<RouteTable::HostEntry>::Entry> hosts;
  std::vector<FlatKeyTable<RouteTable::Target>::Entry> paths;
  std::uint32_t id = 0;
  table_.fallbacks_.clear();  // compile() appends one per host, by id
  table_.catch_all_ = compile(catch_all_, id++, paths);
  for (auto [map, tag] : {std::pair{&hosts_, RouteTable::exact_host_tag},
                          std::pair{&wildcards_, RouteTable::wildcard_domain_tag}}) {
    for (const auto& [name, rules] : *map) hosts.push_back({key_hash(tag, name), tag, name, compile(rules, id++, paths)});
  }
  table_.hosts_ = FlatKeyTable<RouteTable::HostEntry>(hosts);
  table_.paths_ = FlatKeyTable<RouteTable::Target>(paths);
  table_.content_hash_ = table_.hash_content();
  return std::make_shared<const RouteTable>(std::move(table_));
}

}  // namespace sluice
