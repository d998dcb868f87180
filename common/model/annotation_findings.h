// What `sluice ctl lint` reports: every nginx.ingress.kubernetes.io/* key of
// an Ingress that does not carry over exactly, and what sluice does instead.
// The controller fills it (controller/translate/annotations/lint.h); the
// admin view /debug/annotations and the lint of a folder print the same JSON.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace sluice {

// any thread (immutable once filled)
struct AnnotationFinding {
  std::string ns;
  std::string ingress;
  std::string annotation;  // the full key, prefix included
  std::string kind;        // unknown, snippet, unsupported, invalid, differs
  std::string effect;      // ignored, location_denied, ingress_rejected
  std::string message;     // what is wrong, and what sluice does instead
};

// Whether a finding of this kind means the Ingress will not behave as it
// did under ingress-nginx (a snippet, an unsupported key, a difference);
// unknown and invalid keys are treated as ingress-nginx treats them.
bool breaks_migration(std::string_view kind);

// {"findings":[{namespace, ingress, annotation, kind, effect, message}...],
//  "ingresses": N, "carriesOver": bool}
std::string annotation_findings_json(const std::vector<AnnotationFinding>& findings, std::size_t ingresses);

}  // namespace sluice
