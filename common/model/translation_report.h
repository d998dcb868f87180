// What the controller says about the snapshots it builds: how many, how long
// the last one took, when and why it was built, and what it had to skip.
// The vocabulary the admin views and /metrics read, so the proxy never
// includes the controller (app/ fills it from the ControllerLoop).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "common/model/annotation_findings.h"

namespace sluice {

// any thread (immutable)
struct SkippedObject {
  std::string kind;  // "Ingress", "EndpointSlice", ...
  std::string ns;
  std::string name;
  std::string reason;
};

// any thread (immutable once filled)
struct TranslationReport {
  std::uint64_t generation = 0;    // of the last published snapshot; 0: none yet
  std::uint64_t translations = 0;  // since start
  std::chrono::system_clock::time_point built_at{};
  std::chrono::nanoseconds duration{0};  // of the last translation
  std::string reason;                    // why the last one ran, e.g. "initial load"
  std::size_t ingresses_served = 0;
  std::size_t ingresses_ignored = 0;
  std::size_t hosts = 0;
  std::size_t routes = 0;
  std::size_t backends = 0;
  std::vector<SkippedObject> skipped;  // warnings of the last translation
  // Annotations that do not carry over from ingress-nginx, by kind ("snippet", ...).
  std::vector<std::pair<std::string, std::size_t>> annotation_issues;
  std::vector<AnnotationFinding> annotation_findings;  // what /debug/annotations lists
};

}  // namespace sluice
