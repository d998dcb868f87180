// Decides which Ingresses belong to this controller (ingressClassName,
// IngressClass objects, the default class, the legacy annotation).
#pragma once

#include <set>
#include <string>

#include "common/k8s/ingress.h"
#include "controller/object_store.h"
#include "controller/translate/translator_options.h"

namespace sluice::controller {

inline constexpr const char* legacy_class_annotation = "kubernetes.io/ingress.class";

// controller-confined; built once per translation from the store.
// An Ingress is ours when:
//  * spec.ingressClassName names an IngressClass whose spec.controller is
//    ours (ingress-nginx's rule), or equals our --ingress-class while no
//    IngressClass of that name exists (sluice's addition, for manifest
//    folders without one; an IngressClass of that name that names another
//    controller makes it theirs, as in ingress-nginx);
//  * it names no class but carries kubernetes.io/ingress.class: the
//    annotation must equal our --ingress-class;
//  * it names no class at all, and one of our IngressClasses is marked
//    is-default-class, or watch_ingress_without_class is set. (ingress-nginx
//    v1.15.1 ignores is-default-class here: it leaves that to the API
//    server's admission plugin, which sets ingressClassName on Ingresses
//    created while a default exists. sluice also adopts class-less
//    Ingresses created before: a known difference.)
class ClassSelector {
 public:
  ClassSelector(const ObjectStore& store, const TranslatorOptions& options);
  bool is_ours(const k8s::Ingress& ingress) const;

 private:
  const TranslatorOptions& options_;
  std::set<std::string> our_classes_;  // IngressClass names with our controller
  bool default_class_is_ours_ = false;
  bool ingress_class_is_theirs_ = false;  // an IngressClass named --ingress-class has another controller
};

}  // namespace sluice::controller
