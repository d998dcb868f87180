// Why a request would go where it goes: the rule RouteTable::match picks,
// the reason, and for every other rule the reason it was not picked. For
// /debug/explain and `sluice ctl explain`; never on the request path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/model/route_table.h"

namespace sluice {

// How the request's host selected the rules that apply to it.
enum class HostSelection : std::uint8_t {
  exact,     // an Ingress rule names this host
  wildcard,  // a "*.domain" rule covers it (one label)
  none,      // no rule names it: the rules without a host apply
};

// Why one route was not picked.
enum class RuleOutcome : std::uint8_t {
  host_mismatch,   // the rule is for another host (or the host has rules of its own)
  path_mismatch,   // right host, the path does not match
  shadowed,        // matches too, but a more specific rule wins
  default_unused,  // a default backend, not needed because a path matched
};

// Rules for other hosts listed at most (the rest are only counted): a table
// of thousands of hosts would otherwise bury the few rules that matter.
inline constexpr std::size_t explain_max_host_mismatches = 200;

// any thread (immutable)
struct RuleVerdict {
  const Route* route = nullptr;
  RuleOutcome outcome = RuleOutcome::host_mismatch;
  std::string reason;
};

// any thread (immutable once returned). Pointers are into the table that
// made it, which must outlive it.
struct RouteExplanation {
  std::string host;        // normalised (no port, lowercase)
  std::string path;        // without the query string
  HostSelection selection = HostSelection::none;
  std::string host_rule;   // the rule host that selected (exact or "*.domain"); "" for none
  const Route* route = nullptr;      // what match() returns; null: 404
  const Backend* backend = nullptr;
  std::string reason;                // why `route` (or why nothing)
  std::vector<RuleVerdict> others;   // every other route, in table order
  std::size_t host_mismatches_omitted = 0;  // beyond explain_max_host_mismatches
};

const char* host_selection_name(HostSelection s);  // "exact", "wildcard", "none"
const char* rule_outcome_name(RuleOutcome o);      // "host", "path", "shadowed", "default-unused"
// "Exact", "Prefix", or "Default" for a default-backend route.
const char* path_type_name(const Route& r);

}  // namespace sluice
