// The yaml-cpp implementation of k8s::Value: the only YAML-specific code the
// decoders see. JSON manifest files parse with yaml-cpp too.
#pragma once

#include <memory>

#include <yaml-cpp/yaml.h>

#include "common/k8s/value.h"

namespace sluice::controller {

// Wraps a node (yaml-cpp nodes share their document, which stays alive).
std::shared_ptr<const k8s::Value> make_yaml_value(const YAML::Node& node);

}  // namespace sluice::controller
