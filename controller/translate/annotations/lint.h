// `sluice ctl lint`'s reading of Ingresses: the issues read_annotations()
// finds, as findings anyone can print. The translator reports the findings
// of the Ingresses it serves; lint over a folder reads every Ingress.
#pragma once

#include <vector>

#include "common/k8s/ingress.h"
#include "common/model/annotation_findings.h"
#include "controller/object_store.h"
#include "controller/translate/annotations/annotation_issue.h"
#include "controller/translate/controller_defaults.h"
#include "controller/translate/translator_options.h"

namespace sluice::controller {

void append_findings(const k8s::Ingress& ingress, const std::vector<AnnotationIssue>& issues,
                     std::vector<AnnotationFinding>& out);

// Every Ingress of the store, whatever its class, in namespace/name order.
std::vector<AnnotationFinding> lint_ingresses(const ObjectStore& store, const TranslatorOptions& options,
                                              const ControllerDefaults& defaults);

}  // namespace sluice::controller
