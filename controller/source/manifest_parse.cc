// Manifest text to decoded objects; see manifest_parse.h.
#include "controller/source/manifest_parse.h"

#include "controller/source/yaml_tree.h"
#include "controller/source/yaml_value.h"

namespace sluice::controller {
namespace {

using Tree = std::shared_ptr<const YamlTree>;

bool is_list(const YamlTree& t, YamlTree::node_id doc) {
  const YamlTree::node_id kind = t.member(doc, "kind");
  if (kind == YamlTree::none || t.member(doc, "items") == YamlTree::none) return false;
  return t.kind(kind) == YamlTree::type::scalar && t.scalar(kind).ends_with("List");
}

void decode_document(const Tree& tree, YamlTree::node_id doc, ParsedManifest& out) {
  if (tree->kind(doc) == YamlTree::type::null) return;  // an empty document between two "---"
  if (is_list(*tree, doc)) {
    const YamlTree::node_id items = tree->member(doc, "items");
    if (tree->kind(items) == YamlTree::type::null) return;
    if (tree->kind(items) != YamlTree::type::sequence) {
      out.objects.push_back({.error = "items: expected a list"});
      return;
    }
    for (YamlTree::node_id item : tree->children(items)) decode_document(tree, item, out);
    return;
  }
  out.objects.push_back(k8s::decode_object(make_yaml_value(tree, doc)));
}

}  // namespace

ParsedManifest parse_manifest(std::string_view text) {
  ParsedManifest out;
  const Tree tree = parse_yaml(text, out.error);
  if (!tree) return out;
  for (YamlTree::node_id doc : tree->documents()) decode_document(tree, doc, out);
  out.ok = true;
  return out;
}

}  // namespace sluice::controller
