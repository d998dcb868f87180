// The manifest reader (controller/source/manifest_parse.*) over YAML and JSON
// text: multi-document streams, Lists, anchors and aliases. It never throws,
// says why it failed, and every node of the tree it builds can be walked.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "controller/source/manifest_parse.h"
#include "controller/source/yaml_tree.h"

using namespace sluice;
using controller::YamlTree;

namespace {

[[noreturn]] void fail(const char* what, std::string_view input) {
  std::fprintf(stderr, "fuzz: %s\ninput: %.*s\n", what, static_cast<int>(input.size()), input.data());
  std::abort();
}

// Visits the tree below `n` as a reader would, aliases included; `budget`
// bounds the visits, since aliases may share a node many times over.
void walk(const YamlTree& t, YamlTree::node_id n, int depth, long& budget) {
  if (n == YamlTree::none || depth > 200 || --budget < 0) return;
  switch (t.kind(n)) {
    case YamlTree::type::null:
    case YamlTree::type::scalar: (void)t.scalar(n); return;
    case YamlTree::type::sequence:
      for (YamlTree::node_id c : t.children(n)) walk(t, c, depth + 1, budget);
      return;
    case YamlTree::type::map: {
      const auto children = t.children(n);
      for (std::size_t i = 0; i + 1 < children.size(); i += 2) {
        if (t.kind(children[i]) == YamlTree::type::scalar) (void)t.member(n, t.scalar(children[i]));
        walk(t, children[i + 1], depth + 1, budget);
      }
      (void)t.member(n, "kind");
      return;
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const controller::ParsedManifest m = controller::parse_manifest(text);
  if (m.ok != m.error.empty()) fail("ok and error disagree", text);
  for (const auto& r : m.objects)
    if (!r.object && r.error.empty()) fail("a failed object says nothing", text);

  std::string error;
  const auto tree = controller::parse_yaml(text, error);
  if ((tree != nullptr) != m.ok) fail("the tree and the manifest disagree on the syntax", text);
  if (!tree) return 0;
  long budget = 100000;
  for (YamlTree::node_id doc : tree->documents()) walk(*tree, doc, 0, budget);
  return 0;
}
