// The group readers read_annotations() runs, in ingress-nginx's phase order
// so that issues are listed the way a user reads nginx.tmpl. Each takes the
// keys of its catalog group and fills its part of IngressAnnotations.
#pragma once

#include "controller/translate/annotations/annotation_reader.h"
#include "controller/translate/annotations/ingress_annotations.h"

namespace sluice::controller {

// redirect_annotations.cc: ssl-redirect, force-ssl-redirect, preserve-trailing-slash,
// temporal-redirect(-code), permanent-redirect(-code), from-to-www-redirect.
void read_redirect_annotations(AnnotationReader& reader, const AnnotationContext& context,
                               IngressAnnotations& out);
// rewrite_annotations.cc: app-root, x-forwarded-prefix.
void read_rewrite_annotations(AnnotationReader& reader, const AnnotationContext& context,
                              IngressAnnotations& out);
// hosts_annotations.cc: upstream-vhost, server-alias.
void read_hosts_annotations(AnnotationReader& reader, const AnnotationContext& context,
                            IngressAnnotations& out);

// limit_annotations.cc: proxy-body-size, proxy-{connect,send,read}-timeout,
// proxy-next-upstream(-tries, -timeout), limit-rps, limit-rpm,
// limit-connections, limit-burst-multiplier, limit-allowlist (limit-whitelist).
// `meta` names the rate-limit zone the Ingress's routes share.
void read_limit_annotations(AnnotationReader& reader, const AnnotationContext& context, const k8s::ObjectMeta& meta,
                            IngressAnnotations& out);

// access_annotations.cc: allowlist-/whitelist-/denylist-source-range, satisfy, then
// basic_auth_annotations.cc's auth-type, auth-secret, auth-secret-type, auth-realm.
void read_access_annotations(AnnotationReader& reader, const AnnotationContext& context,
                             const k8s::Ingress& ingress, IngressAnnotations& out);
void read_basic_auth(AnnotationReader& reader, const AnnotationContext& context, const k8s::Ingress& ingress,
                     IngressAnnotations& out);
// The "namespace/name" of the Secret an Ingress's auth-type and auth-secret
// would read (same namespace only), for the Secret keeper to fetch; nullopt
// without both annotations or when the reader would deny before the lookup.
std::optional<std::string> auth_secret_reference(const k8s::Ingress& ingress);
// An htpasswd text as nginx's auth_basic_user_file reads it (exposed for tests).
std::vector<BasicCredential> parse_htpasswd(std::string_view text);

// cors_annotations.cc: enable-cors and the cors-* keys.
void read_cors_annotations(AnnotationReader& reader, const AnnotationContext& context, IngressAnnotations& out);

}  // namespace sluice::controller
