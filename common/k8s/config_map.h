// v1 ConfigMap: the controller's settings (--configmap) and the header
// lists its add-headers / proxy-set-headers keys name.
#pragma once

#include <map>
#include <string>

#include "common/k8s/object_meta.h"

namespace sluice::k8s {

// any thread (immutable)
struct ConfigMap {
  ObjectMeta meta;
  std::map<std::string, std::string> data;  // binaryData is not read: no key we use is binary

  bool operator==(const ConfigMap&) const = default;
};

ConfigMap decode_config_map(const Field& object);

}  // namespace sluice::k8s
