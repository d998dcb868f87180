// Rewrites: app-root (annotations/rewrite/main.go, whose validation errors
// are logged and defaulted, never fatal: ignored issues) and
// x-forwarded-prefix (annotations/xforwardedprefix, whose validation error
// rejects the Ingress).
#include "controller/translate/annotations/annotation_groups.h"
#include "controller/translate/annotations/annotation_text.h"

namespace sluice::controller {

namespace {

// buildProxyPass sends X-Forwarded-Prefix only next to rewrite-target's
// `rewrite`: alone the annotation changes nothing, in ingress-nginx as here.
void read_x_forwarded_prefix(AnnotationReader& reader) {
  auto text = reader.take("x-forwarded-prefix");
  if (!text) return;
  std::string spaceless(*text);
  std::erase(spaceless, ' ');
  if (!matches_path_with_capture(spaceless)) {
    reader.invalid("x-forwarded-prefix", "\"" + std::string(*text) + "\" is not a path ingress-nginx accepts",
                   IssueEffect::ingress_rejected);
    return;
  }
  if (reader.has("rewrite-target") && !trim_lines(*text).empty())
    reader.unsupported("x-forwarded-prefix", "sent with rewrite-target, which sluice does not support yet; ignored");
}

}  // namespace

void read_rewrite_annotations(AnnotationReader& reader, const AnnotationContext&, IngressAnnotations& out) {
  read_x_forwarded_prefix(reader);
  auto text = reader.take("app-root");
  if (!text) return;
  const std::string value = trim_lines(*text);
  if (!matches_path_with_capture(*text) || value.empty()) {
    reader.invalid("app-root", "\"" + std::string(*text) + "\" is not a path ingress-nginx accepts");
    return;
  }
  // url.ParseRequestURI with IsAbs() refused: only a path starting with '/'
  // survives (anything else in this character set has a scheme or no '/').
  if (value.front() != '/') {
    reader.invalid("app-root", "\"" + value + "\" must be an absolute path (\"/app\")");
    return;
  }
  // nginx would expand "$name" in `return 302 $scheme://$http_host<app-root>`.
  if (value.find('$') != std::string::npos) {
    reader.unsupported("app-root", "\"" + value + "\" holds '$', which nginx expands as a variable; ignored");
    return;
  }
  out.app_root = value;
}

}  // namespace sluice::controller
