// Decoding an IngressClass; see ingress_class.h.
#include "common/k8s/ingress_class.h"

namespace sluice::k8s {

IngressClass decode_ingress_class(const Field& object) {
  IngressClass c;
  c.meta = decode_meta(object["metadata"], false);
  c.controller = object["spec"]["controller"].string_or("");
  auto it = c.meta.annotations.find(default_class_annotation);
  c.is_default = it != c.meta.annotations.end() && it->second == "true";
  return c;
}

}  // namespace sluice::k8s
