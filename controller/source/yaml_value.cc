// k8s::Value over a YamlTree node; see yaml_value.h.
#include "controller/source/yaml_value.h"

namespace sluice::controller {
namespace {

// any thread (immutable). Never YamlTree::none: that is k8s::missing_value().
class YamlValue final : public k8s::Value {
 public:
  YamlValue(std::shared_ptr<const YamlTree> tree, YamlTree::node_id node)
      : tree_(std::move(tree)), node_(node) {}

  type kind() const override {
    switch (tree_->kind(node_)) {
      case YamlTree::type::null: return type::null;
      case YamlTree::type::scalar: return type::scalar;
      case YamlTree::type::sequence: return type::sequence;
      case YamlTree::type::map: return type::map;
    }
    return type::missing;
  }

  std::string scalar() const override {
    return kind() == type::scalar ? std::string(tree_->scalar(node_)) : std::string();
  }

  std::shared_ptr<const Value> member(std::string_view key) const override {
    return make_yaml_value(tree_, tree_->member(node_, key));
  }

  std::vector<std::shared_ptr<const Value>> elements() const override {
    std::vector<std::shared_ptr<const Value>> out;
    if (kind() != type::sequence) return out;
    for (YamlTree::node_id e : tree_->children(node_)) out.push_back(make_yaml_value(tree_, e));
    return out;
  }

  std::vector<std::pair<std::string, std::shared_ptr<const Value>>> members() const override {
    std::vector<std::pair<std::string, std::shared_ptr<const Value>>> out;
    if (kind() != type::map) return out;
    auto c = tree_->children(node_);
    for (std::size_t i = 0; i + 1 < c.size(); i += 2)
      out.emplace_back(std::string(tree_->scalar(c[i])), make_yaml_value(tree_, c[i + 1]));
    return out;
  }

 private:
  std::shared_ptr<const YamlTree> tree_;
  YamlTree::node_id node_;
};

}  // namespace

std::shared_ptr<const k8s::Value> make_yaml_value(std::shared_ptr<const YamlTree> tree,
                                                  YamlTree::node_id node) {
  if (node == YamlTree::none) return k8s::missing_value();
  return std::make_shared<YamlValue>(std::move(tree), node);
}

}  // namespace sluice::controller
