// Ingress class selection; the rules are listed in class_selection.h.
#include "controller/translate/class_selection.h"

namespace sluice::controller {

ClassSelector::ClassSelector(const ObjectStore& store, const TranslatorOptions& options)
    : options_(options) {
  for (const auto& [name, cls] : store.all<k8s::IngressClass>()) {
    if (cls->controller != options.controller_class) {
      if (cls->meta.name == options.ingress_class) ingress_class_is_theirs_ = true;
      continue;
    }
    our_classes_.insert(cls->meta.name);
    if (cls->is_default) default_class_is_ours_ = true;
  }
}

bool ClassSelector::is_ours(const k8s::Ingress& ingress) const {
  if (ingress.ingress_class_name && !ingress.ingress_class_name->empty()) {
    const std::string& name = *ingress.ingress_class_name;
    if (our_classes_.contains(name)) return true;
    return name == options_.ingress_class && !ingress_class_is_theirs_;
  }
  const auto& annotations = ingress.meta.annotations;
  if (auto it = annotations.find(legacy_class_annotation); it != annotations.end())
    return it->second == options_.ingress_class;
  return default_class_is_ours_ || options_.watch_ingress_without_class;
}

}  // namespace sluice::controller
