// Validates and normalises the host and path of one Ingress rule, per the
// Ingress v1 rules (hosts are DNS names, "*." only as the whole first label;
// paths start with '/'; ImplementationSpecific is treated as Prefix).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/k8s/ingress.h"
#include "common/model/route_table.h"

namespace sluice::controller {

// The lowercased host ("" for none), or nullopt with `reason` set.
std::optional<std::string> normalize_rule_host(std::string_view host, std::string& reason);

// any thread (immutable)
struct PathSpec {
  std::string path;  // as written ("/" when a Prefix path is absent)
  PathMatch match = PathMatch::prefix;
};

// The path and match kind, or nullopt with `reason` set.
std::optional<PathSpec> resolve_path(const k8s::IngressPath& path, std::string& reason);

}  // namespace sluice::controller
