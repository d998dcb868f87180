#include "controller/translate/annotations/annotation_issue.h"

namespace sluice::controller {

std::string_view issue_kind_name(IssueKind kind) {
  switch (kind) {
    case IssueKind::unknown: return "unknown";
    case IssueKind::snippet: return "snippet";
    case IssueKind::unsupported: return "unsupported";
    case IssueKind::invalid: return "invalid";
    case IssueKind::differs: return "differs";
  }
  return "unknown";
}

std::string_view issue_effect_name(IssueEffect effect) {
  switch (effect) {
    case IssueEffect::ignored: return "ignored";
    case IssueEffect::location_denied: return "location_denied";
    case IssueEffect::ingress_rejected: return "ingress_rejected";
  }
  return "ignored";
}

std::string describe(const AnnotationIssue& issue) {
  std::string out = "annotation ";
  out.append(nginx_annotation_prefix).append(issue.key).append(": ").append(issue.message);
  return out;
}

}  // namespace sluice::controller
