// Redirects: ssl-redirect, force-ssl-redirect and preserve-trailing-slash (ingress-nginx's
// sslredirect handling in annotations/redirect and the Lua force_ssl_redirect).
#include "controller/translate/annotations/annotation_groups.h"

namespace sluice::controller {

void read_redirect_annotations(AnnotationReader& reader, const AnnotationContext&, IngressAnnotations& out) {
  out.ssl_redirect = reader.take_bool("ssl-redirect");
  out.force_ssl_redirect = reader.take_bool("force-ssl-redirect").value_or(false);
  out.policy.preserve_trailing_slash = reader.take_bool("preserve-trailing-slash").value_or(false);
}

}  // namespace sluice::controller
