// The YamlTree implementation of k8s::Value: the only YAML-specific code the
// decoders see. JSON manifest files parse as YAML too.
#pragma once

#include <memory>

#include "common/k8s/value.h"
#include "controller/source/yaml_tree.h"

namespace sluice::controller {

// A view of node `node` of `tree` (YamlTree::none: a missing member); it
// shares ownership of the tree.
std::shared_ptr<const k8s::Value> make_yaml_value(std::shared_ptr<const YamlTree> tree,
                                                  YamlTree::node_id node);

}  // namespace sluice::controller
