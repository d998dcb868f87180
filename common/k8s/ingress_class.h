// networking.k8s.io/v1 IngressClass: which controller owns a class name.
#pragma once

#include <string>

#include "common/k8s/object_meta.h"

namespace sluice::k8s {

inline constexpr const char* default_class_annotation = "ingressclass.kubernetes.io/is-default-class";

// any thread (immutable). Cluster-scoped: meta.ns is "".
struct IngressClass {
  ObjectMeta meta;
  std::string controller;  // spec.controller, e.g. "sluice.dev/ingress-controller"
  bool is_default = false; // the is-default-class annotation is "true"
  bool operator==(const IngressClass&) const = default;
};

IngressClass decode_ingress_class(const Field& object);

}  // namespace sluice::k8s
