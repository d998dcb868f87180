// Route lookup: host by hash (exact, then one-label wildcard, then
// catch-all), then path by hash over the request's own segment boundaries,
// so the cost depends on the request, never on the number of rules.
#include "common/model/route_table.h"

#include <algorithm>
#include <cassert>
#include <sstream>

#include "common/strings.h"

namespace sluice {

std::string normalize_prefix(std::string_view path) {
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  return std::string(path);
}

std::uint32_t RouteTable::PathIndex::match(std::string_view path) const {
  if (auto it = exact.find(path); it != exact.end()) return it->second;
  if (!prefix.empty()) {
    // Candidates, longest first: the path without trailing '/', then each
    // shorter run of whole segments, then the root.
    std::string_view candidate = path;
    while (candidate.size() > 1 && candidate.back() == '/') candidate.remove_suffix(1);
    while (!candidate.empty()) {
      if (auto it = prefix.find(candidate); it != prefix.end()) return it->second;
      if (candidate.size() == 1) break;
      auto slash = candidate.rfind('/');
      if (slash == std::string_view::npos) break;
      candidate = candidate.substr(0, slash == 0 ? 1 : slash);
    }
  }
  return fallback;
}

const RouteTable::PathIndex* RouteTable::select_host(std::string_view host) const {
  if (auto it = hosts_.find(host); it != hosts_.end()) return &it->second;
  if (!wildcards_.empty()) {
    auto dot = host.find('.');
    if (dot != std::string_view::npos && dot > 0) {
      if (auto it = wildcards_.find(host.substr(dot + 1)); it != wildcards_.end()) return &it->second;
    }
  }
  return nullptr;
}

RouteMatch RouteTable::match(std::string_view host, std::string_view path) const {
  if (auto q = path.find_first_of("?#"); q != std::string_view::npos) path = path.substr(0, q);
  char buf[max_host_length];
  std::string_view normalized = normalize_host(host, buf);

  // A known host never falls through to the rules without a host (as in
  // ingress-nginx, where each host is its own server block): an unmatched
  // path goes to that host's default, then the global default backend.
  std::uint32_t index = none;
  if (const PathIndex* per_host = select_host(normalized)) {
    index = per_host->match(path);
    if (index == none) index = catch_all_.fallback;
  } else {
    index = catch_all_.match(path);
  }
  if (index == none) return {};
  const Route& r = routes_[index];
  return {&r, &backends_[r.backend]};
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
  return out;
}

std::uint32_t RouteTableBuilder::add_backend(Backend b) {
  if (auto it = backend_by_name_.find(b.name); it != backend_by_name_.end()) return it->second;
  auto index = static_cast<std::uint32_t>(table_.backends_.size());
  backend_by_name_.emplace(b.name, index);
  table_.backends_.push_back(std::move(b));
  return index;
}

RouteTable::PathIndex& RouteTableBuilder::index_for(const std::string& host) {
  if (host.empty()) return table_.catch_all_;
  if (host.starts_with("*.")) return table_.wildcards_[host.substr(2)];
  return table_.hosts_[host];
}

bool RouteTableBuilder::add_route(Route r) {
  assert(r.backend < table_.backends_.size());  // the translator adds backends first
  if (r.match == PathMatch::prefix) r.path = normalize_prefix(r.path);
  auto& index = index_for(r.host);
  auto& map = r.match == PathMatch::exact ? index.exact : index.prefix;
  auto position = static_cast<std::uint32_t>(table_.routes_.size());
  if (!map.emplace(r.path, position).second) return false;
  table_.routes_.push_back(std::move(r));
  return true;
}

bool RouteTableBuilder::set_default(Route r) {
  assert(r.backend < table_.backends_.size());
  auto& index = index_for(r.host);
  if (index.fallback != RouteTable::none) return false;
  index.fallback = static_cast<std::uint32_t>(table_.routes_.size());
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

std::shared_ptr<const RouteTable> RouteTableBuilder::build(std::uint64_t generation) && {
  table_.generation_ = generation;
  return std::make_shared<const RouteTable>(std::move(table_));
}

}  // namespace sluice
