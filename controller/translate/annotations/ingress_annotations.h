// One Ingress's annotations → the typed policy its routes carry, and the
// issues that will not carry over. Pure: the same Ingress and store always
// read the same; no configuration text is built from any value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/k8s/ingress.h"
#include "common/model/policy.h"
#include "controller/object_store.h"
#include "controller/translate/annotations/annotation_issue.h"
#include "controller/translate/controller_defaults.h"
#include "controller/translate/translator_options.h"

namespace sluice::controller {

// What a group reader may consult besides the annotations: referenced
// Secrets and ConfigMaps, the flags, and the ConfigMap's defaults.
struct AnnotationContext {
  const ObjectStore& store;
  const TranslatorOptions& options;
  const ControllerDefaults& defaults;
};

// any thread (immutable once read)
struct IngressAnnotations {
  RoutePolicy policy;  // for every path of the Ingress; ssl_redirect is per host (policy_for_host)
  std::optional<bool> ssl_redirect;  // the annotation; unset: ssl_redirect_default for hosts with TLS
  bool ssl_redirect_default = true;  // the ConfigMap's ssl-redirect
  bool force_ssl_redirect = false;
  // Server-level settings: the translator applies them to a whole host (every
  // Ingress's paths of it), as ingress-nginx's server block does.
  std::string app_root;                // app-root, "" when unset
  bool from_to_www = false;            // from-to-www-redirect
  std::uint16_t www_redirect_code = 308;  // the ConfigMap's http-redirect-code
  std::vector<std::string> aliases;    // server-alias, lowercased, sorted
  std::vector<AnnotationIssue> issues;

  // An issue says the Ingress is not served at all.
  bool rejected() const;
  // The policy for one host of the Ingress, which may or may not have TLS.
  RoutePolicy policy_for_host(bool host_has_tls) const;
};

IngressAnnotations read_annotations(const k8s::Ingress& ingress, const AnnotationContext& context);

}  // namespace sluice::controller
