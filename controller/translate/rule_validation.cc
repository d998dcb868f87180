// Host and path validation for Ingress rules; see rule_validation.h.
#include "controller/translate/rule_validation.h"

#include "common/strings.h"

namespace sluice::controller {
namespace {

constexpr std::size_t max_dns_name = 253;
constexpr std::size_t max_dns_label = 63;

bool valid_label(std::string_view label) {
  if (label.empty() || label.size() > max_dns_label) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  return true;
}

// Checks a lowercase DNS name; all-numeric names are IPv4 literals, which
// the Ingress spec does not allow as hosts.
bool valid_dns_name(std::string_view name, bool& all_numeric) {
  all_numeric = true;
  while (true) {
    auto dot = name.find('.');
    std::string_view label = name.substr(0, dot);
    if (!valid_label(label)) return false;
    if (label.find_first_not_of("0123456789") != std::string_view::npos) all_numeric = false;
    if (dot == std::string_view::npos) return true;
    name.remove_prefix(dot + 1);
  }
}

}  // namespace

std::optional<std::string> normalize_rule_host(std::string_view raw, std::string& reason) {
  std::string host = to_lower(raw);
  if (host.empty()) return host;
  if (host.size() > max_dns_name) {
    reason = "host \"" + std::string(raw) + "\" is longer than 253 characters";
    return std::nullopt;
  }
  const bool wildcard = host.starts_with("*.");
  std::string_view name = wildcard ? std::string_view(host).substr(2) : std::string_view(host);
  bool all_numeric = false;
  if (name.find('*') != std::string_view::npos) {
    reason = "host \"" + std::string(raw) + "\": a wildcard must be the whole first label, as in \"*.example.com\"";
  } else if (!valid_dns_name(name, all_numeric)) {
    reason = "host \"" + std::string(raw) + "\" is not a valid DNS name";
  } else if (all_numeric && !wildcard) {
    reason = "host \"" + std::string(raw) + "\" is an IP address; Ingress hosts must be DNS names";
  } else {
    return host;
  }
  return std::nullopt;
}

std::optional<PathSpec> resolve_path(const k8s::IngressPath& p, std::string& reason) {
  PathSpec spec;
  spec.path = p.path;
  if (p.path_type.empty()) {
    reason = "path \"" + p.path + "\" has no pathType";
    return std::nullopt;
  }
  if (p.path_type == "Exact") {
    spec.match = PathMatch::exact;
  } else if (p.path_type == "Prefix" || p.path_type == "ImplementationSpecific") {
    spec.match = PathMatch::prefix;
    if (spec.path.empty()) spec.path = "/";
  } else {
    reason = "path \"" + p.path + "\" has unknown pathType \"" + p.path_type + "\"";
    return std::nullopt;
  }
  if (spec.path.empty() || spec.path.front() != '/') {
    reason = "path \"" + p.path + "\" must start with '/'";
    return std::nullopt;
  }
  return spec;
}

}  // namespace sluice::controller
