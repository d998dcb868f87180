// Which Ingresses this controller serves: its class name and controller name.
#pragma once

#include <string>

namespace sluice::controller {

// any thread (immutable)
struct TranslatorOptions {
  std::string ingress_class = "sluice";  // --ingress-class
  std::string controller_class = "sluice.dev/ingress-controller";  // IngressClass spec.controller
  bool watch_ingress_without_class = false;  // serve Ingresses that name no class at all
  std::string default_ssl_certificate;       // --default-ssl-certificate "namespace/name"
  std::string configmap;                     // --configmap "namespace/name": ingress-nginx's settings
};

}  // namespace sluice::controller
