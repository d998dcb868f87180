// k8s::Value over a YAML::Node; see yaml_value.h.
#include "controller/source/yaml_value.h"

namespace sluice::controller {
namespace {

// any thread (immutable)
class YamlValue final : public k8s::Value {
 public:
  explicit YamlValue(YAML::Node node) : node_(std::move(node)) {}

  type kind() const override {
    switch (node_.Type()) {
      case YAML::NodeType::Undefined: return type::missing;
      case YAML::NodeType::Null: return type::null;
      case YAML::NodeType::Scalar: return type::scalar;
      case YAML::NodeType::Sequence: return type::sequence;
      case YAML::NodeType::Map: return type::map;
    }
    return type::missing;
  }

  std::string scalar() const override { return node_.IsScalar() ? node_.Scalar() : std::string(); }

  std::unique_ptr<Value> member(std::string_view key) const override {
    // A const lookup never inserts; a missing key yields an undefined node.
    const YAML::Node& self = node_;
    if (!self.IsMap()) return std::make_unique<YamlValue>(YAML::Node(YAML::NodeType::Undefined));
    for (const auto& kv : self)
      if (kv.first.IsScalar() && kv.first.Scalar() == key) return std::make_unique<YamlValue>(kv.second);
    return std::make_unique<YamlValue>(YAML::Node(YAML::NodeType::Undefined));
  }

  std::vector<std::unique_ptr<Value>> elements() const override {
    std::vector<std::unique_ptr<Value>> out;
    if (!node_.IsSequence()) return out;
    for (const auto& e : node_) out.push_back(std::make_unique<YamlValue>(e));
    return out;
  }

  std::vector<std::pair<std::string, std::unique_ptr<Value>>> members() const override {
    std::vector<std::pair<std::string, std::unique_ptr<Value>>> out;
    if (!node_.IsMap()) return out;
    for (const auto& kv : node_)
      out.emplace_back(kv.first.IsScalar() ? kv.first.Scalar() : std::string(),
                       std::make_unique<YamlValue>(kv.second));
    return out;
  }

 private:
  YAML::Node node_;
};

}  // namespace

std::shared_ptr<const k8s::Value> make_yaml_value(const YAML::Node& node) {
  return std::make_shared<YamlValue>(node);
}

}  // namespace sluice::controller
