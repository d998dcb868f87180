// The controller's ConfigMap (--configmap NS/NAME) as typed values, read the
// way ingress-nginx v1.15.1 reads its own (internal/ingress/controller/
// template/configmap.go, config/config.go): the defaults annotations fall
// back to, and the proxy-wide settings the snapshot carries to the workers.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/model/policy.h"
#include "common/model/proxy_settings.h"
#include "controller/object_store.h"
#include "controller/translate/controller_defaults.h"

namespace sluice::controller {

// any thread (immutable once read)
struct ControllerConfig {
  ControllerDefaults defaults;
  ProxySettings proxy;
  // add-headers (on every response) and proxy-set-headers (on every request
  // sent upstream): the data of the ConfigMaps those keys name.
  HeaderEdits global_headers;
  // One line per value that does not carry over ("hsts-max-age: ..."); the
  // value kept is ingress-nginx's default. Each becomes a warning.
  std::vector<std::string> problems;
  // Keys sluice does not read (unknown to ingress-nginx too, or not
  // implemented): logged once per key by the caller.
  std::vector<std::string> ignored_keys;
};

// `ref` is "namespace/name", or "" when no --configmap was given: then the
// result is ingress-nginx's defaults with proxy.from_configmap false (the
// flags keep deciding what they decide). A named ConfigMap that is missing
// gives the defaults and a problem. Pure: reads only the store.
ControllerConfig read_controller_config(const ObjectStore& store, std::string_view ref);

}  // namespace sluice::controller
