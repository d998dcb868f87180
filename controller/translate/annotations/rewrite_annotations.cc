// Rewrites (annotations/rewrite/main.go): app-root. Its validation errors are
// logged and defaulted by ingress-nginx, never fatal: every problem here is
// an ignored issue.
#include "controller/translate/annotations/annotation_groups.h"
#include "controller/translate/annotations/annotation_text.h"

namespace sluice::controller {

void read_rewrite_annotations(AnnotationReader& reader, const AnnotationContext&, IngressAnnotations& out) {
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
