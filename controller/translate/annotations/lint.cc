// Issues to findings; see lint.h.
#include "controller/translate/annotations/lint.h"

#include "controller/translate/annotations/ingress_annotations.h"

namespace sluice::controller {

void append_findings(const k8s::Ingress& ingress, const std::vector<AnnotationIssue>& issues,
                     std::vector<AnnotationFinding>& out) {
  for (const AnnotationIssue& issue : issues)
    out.push_back({ingress.meta.ns, ingress.meta.name, std::string(nginx_annotation_prefix) + issue.key,
                   std::string(issue_kind_name(issue.kind)), std::string(issue_effect_name(issue.effect)),
                   issue.message});
}

std::vector<AnnotationFinding> lint_ingresses(const ObjectStore& store, const TranslatorOptions& options,
                                              const ControllerDefaults& defaults) {
  std::vector<AnnotationFinding> out;
  for (const auto& [key, ingress] : store.all<k8s::Ingress>())
    append_findings(*ingress, read_annotations(*ingress, {store, options, defaults}).issues, out);
  return out;
}

}  // namespace sluice::controller
