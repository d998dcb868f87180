// RouteTable::explain: the same host and path selection as match(), spelled
// out rule by rule. The chosen route comes from the real indexes, so the
// explanation can never disagree with what a request gets.
#include "common/model/route_explain.h"

#include "common/strings.h"

namespace sluice {

namespace {

std::string quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

// True when RouteTable::longest_prefix would look `prefix` up for `path`: the path
// without trailing '/', then each shorter run of whole segments, then "/".
bool prefix_matches(std::string_view prefix, std::string_view path) {
  std::string_view candidate = path;
  while (candidate.size() > 1 && candidate.back() == '/') candidate.remove_suffix(1);
  while (!candidate.empty()) {
    if (candidate == prefix) return true;
    if (candidate.size() == 1) break;
    auto slash = candidate.rfind('/');
    if (slash == std::string_view::npos) break;
    candidate = candidate.substr(0, slash == 0 ? 1 : slash);
  }
  return false;
}

std::string describe_rule(const Route& r) {
  if (r.is_default) return r.host.empty() ? "the default backend" : "the default backend of host " + quoted(r.host);
  return std::string(path_type_name(r)) + " " + quoted(r.path);
}

}  // namespace

const char* host_selection_name(HostSelection s) {
  switch (s) {
    case HostSelection::exact: return "exact";
    case HostSelection::wildcard: return "wildcard";
    case HostSelection::none: return "none";
  }
  return "none";
}

const char* rule_outcome_name(RuleOutcome o) {
  switch (o) {
    case RuleOutcome::host_mismatch: return "host";
    case RuleOutcome::path_mismatch: return "path";
    case RuleOutcome::shadowed: return "shadowed";
    case RuleOutcome::default_unused: return "default-unused";
  }
  return "host";
}

const char* path_type_name(const Route& r) {
  if (r.is_default) return "Default";
  return r.match == PathMatch::exact ? "Exact" : "Prefix";
}

const TlsCertificate* RouteTable::host_certificate(std::string_view host) const {
  if (host.starts_with("*.")) {
    auto it = tls_wildcards_.find(host.substr(2));
    return it == tls_wildcards_.end() ? nullptr : certificates_[it->second].get();
  }
  if (host.empty()) return nullptr;
  if (auto it = tls_hosts_.find(host); it != tls_hosts_.end()) return certificates_[it->second].get();
  if (auto dot = host.find('.'); dot != std::string_view::npos && dot > 0) {
    if (auto it = tls_wildcards_.find(host.substr(dot + 1)); it != tls_wildcards_.end())
      return certificates_[it->second].get();
  }
  return nullptr;
}

RouteExplanation RouteTable::explain(std::string_view host, std::string_view path) const {
  RouteExplanation e;
  path = strip_query(path);
  char buf[max_host_length];
  const std::string_view normalized = normalize_host(host, buf);
  e.host = normalized;
  e.path = path;

  // Host selection, exactly as match() does it.
  const HostHit hit = select_host(normalized);
  const HostEntry* per_host = hit.entry;
  if (per_host && !hit.wildcard) {
    e.selection = HostSelection::exact;
    e.host_rule = normalized;
  } else if (per_host) {
    e.selection = HostSelection::wildcard;
    e.host_rule = "*." + std::string(normalized.substr(normalized.find('.') + 1));
  }
  bool global_fallback = false;
  const std::uint32_t index = route_for(per_host, path, &global_fallback).route;

  std::string host_reason;
  switch (e.selection) {
    case HostSelection::exact:
      host_reason = "a rule names host " + quoted(e.host);
      break;
    case HostSelection::wildcard:
      host_reason = "host " + quoted(e.host) + " is covered by the wildcard " + quoted(e.host_rule);
      break;
    case HostSelection::none:
      host_reason = "no rule names host " + quoted(e.host) + ", so the rules without a host apply";
      break;
  }

  const Route* chosen = index == none ? nullptr : &routes_[index];
  if (chosen) {
    e.route = chosen;
    e.backend = &backends_[chosen->backend];
    if (chosen->is_default) {
      e.reason = host_reason + "; no path rule matches " + quoted(e.path) + ", so " + describe_rule(*chosen) +
                 (global_fallback ? " (spec.defaultBackend) takes it" : " takes it");
    } else if (chosen->match == PathMatch::exact) {
      e.reason = host_reason + "; Exact " + quoted(chosen->path) + " equals the request path";
    } else {
      e.reason = host_reason + "; Prefix " + quoted(chosen->path) + " is the longest prefix of " +
                 quoted(e.path) + " by whole path segments";
    }
  } else {
    e.reason = host_reason + "; no rule matches path " + quoted(e.path) + " and there is no default backend";
  }

  std::size_t host_mismatches = 0;
  for (const Route& r : routes_) {
    if (&r == chosen) continue;
    RuleVerdict v{&r, RuleOutcome::host_mismatch, {}};
    bool host_applies = false;
    if (r.host.empty()) {
      host_applies = per_host == nullptr || r.is_default;
      if (!host_applies)
        v.reason = "rules without a host do not apply: host " + quoted(e.host) + " has rules of its own" +
                   (e.selection == HostSelection::wildcard ? " (" + quoted(e.host_rule) + ")" : "");
    } else if (r.host.starts_with("*.")) {
      host_applies = e.selection == HostSelection::wildcard && r.host == e.host_rule;
      if (!host_applies) {
        std::string_view domain = std::string_view(r.host).substr(1);  // ".example.com"
        if (e.host.size() > domain.size() && std::string_view(e.host).ends_with(domain)) {
          v.reason = e.selection == HostSelection::exact
                         ? "a rule for the exact host " + quoted(e.host) + " takes precedence over " + quoted(r.host)
                         : quoted(r.host) + " covers exactly one label; " + quoted(e.host) + " has more";
        } else {
          v.reason = "rule is for hosts matching " + quoted(r.host) + ", not " + quoted(e.host);
        }
      }
    } else {
      host_applies = e.selection == HostSelection::exact && r.host == e.host;
      if (!host_applies) v.reason = "rule is for host " + quoted(r.host) + ", not " + quoted(e.host);
    }

    if (host_applies) {
      if (r.is_default) {
        v.outcome = RuleOutcome::default_unused;
        v.reason = describe_rule(r) + " is used only when no path rule matches" +
                   (chosen ? "; " + describe_rule(*chosen) + " did" : "");
      } else if (r.match == PathMatch::exact) {
        if (r.path == e.path) {  // cannot happen: Exact is looked up first; kept for completeness
          v.outcome = RuleOutcome::shadowed;
          v.reason = "Exact " + quoted(r.path) + " matches too, but an earlier rule holds it";
        } else {
          v.outcome = RuleOutcome::path_mismatch;
          v.reason = "Exact " + quoted(r.path) + " is not " + quoted(e.path);
        }
      } else if (prefix_matches(r.path, e.path)) {
        v.outcome = RuleOutcome::shadowed;
        v.reason = "Prefix " + quoted(r.path) + " matches too, but " +
                   (chosen && !chosen->is_default && chosen->match == PathMatch::exact
                        ? "an Exact rule wins over any Prefix"
                        : describe_rule(chosen ? *chosen : r) + " is longer");
      } else {
        v.outcome = RuleOutcome::path_mismatch;
        v.reason = "Prefix " + quoted(r.path) + " does not match " + quoted(e.path) + " by whole path segments";
      }
    } else if (++host_mismatches > explain_max_host_mismatches) {
      ++e.host_mismatches_omitted;
      continue;
    }
    e.others.push_back(std::move(v));
  }
  return e;
}

}  // namespace sluice
