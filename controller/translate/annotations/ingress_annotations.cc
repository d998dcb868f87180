#include "controller/translate/annotations/ingress_annotations.h"

#include <algorithm>

#include "controller/translate/annotations/annotation_groups.h"

namespace sluice::controller {

bool IngressAnnotations::rejected() const {
  return std::any_of(issues.begin(), issues.end(),
                     [](const AnnotationIssue& i) { return i.effect == IssueEffect::ingress_rejected; });
}

RoutePolicy IngressAnnotations::policy_for_host(bool host_has_tls) const {
  RoutePolicy p = policy;
  p.ssl_redirect = force_ssl_redirect || (host_has_tls && ssl_redirect.value_or(ssl_redirect_default));
  return p;
}

IngressAnnotations read_annotations(const k8s::Ingress& ingress, const AnnotationContext& context) {
  IngressAnnotations out;
  out.ssl_redirect_default = context.defaults.ssl_redirect;
  AnnotationReader reader(ingress.meta.annotations);
  read_redirect_annotations(reader, context, out);
  read_rewrite_annotations(reader, context, out);
  read_hosts_annotations(reader, context, out);
  read_limit_annotations(reader, context, ingress.meta, out);
  read_access_annotations(reader, context, ingress, out);
  read_cors_annotations(reader, context, out);
  out.issues = std::move(reader).finish();
  out.policy.denied = std::any_of(out.issues.begin(), out.issues.end(), [](const AnnotationIssue& i) {
    return i.effect == IssueEffect::location_denied;
  });
  return out;
}

}  // namespace sluice::controller
