// The translator: a pure, deterministic function from the object store to a
// RouteTable. Ingress v1 semantics live here (and in the files it uses:
// class_selection, rule_validation, backend_resolution).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <memory>
#include <vector>

#include "common/model/annotation_findings.h"
#include "common/model/route_table.h"
#include "controller/object_store.h"
#include "controller/translate/tls_resolution.h"
#include "controller/translate/translator_options.h"
#include "controller/translate/warning.h"

namespace sluice::controller {

// any thread (immutable)
struct TranslationCounts {
  std::size_t ingresses_served = 0;
  std::size_t ingresses_ignored = 0;  // another controller's, or no class
  std::size_t hosts = 0;              // distinct rule hosts, not counting "no host"
  std::size_t routes = 0;             // includes default-backend routes
  std::size_t backends = 0;
  // nginx.ingress.kubernetes.io/* keys that do not carry over, by IssueKind
  // name ("unknown", "snippet", ...); each is also a warning.
  std::map<std::string, std::size_t> annotation_issues;
};

// any thread (immutable)
struct TranslationResult {
  std::shared_ptr<const RouteTable> table;  // never null
  std::vector<Warning> warnings;            // in a deterministic order, no duplicates
  TranslationCounts counts;
  std::vector<std::shared_ptr<const k8s::Ingress>> served;  // the Ingresses of our class, oldest first
  std::vector<AnnotationFinding> annotation_findings;  // of the served Ingresses, for lint
  // Keys of the --configmap ConfigMap that sluice does not read (the loop
  // logs each once, not on every translation).
  std::vector<std::string> ignored_config_keys;
};

// Ingresses are applied oldest first (creationTimestamp, then
// namespace/name), so on a conflict (same host, path and match) the older
// Ingress keeps the route. No I/O, no clock: the same store and options
// always give the same table and warnings.
// `certificates` memoises Secret parsing across calls (null: a fresh one).
TranslationResult translate(const ObjectStore& store, const TranslatorOptions& options,
                            std::uint64_t generation, CertificateCache* certificates = nullptr);

}  // namespace sluice::controller
