// YAML text to a compact immutable tree, with libyaml's event parser. The
// one YAML reader of the project (manifests, kubeconfig); see
// controller/ARCHITECTURE.md for why it replaced yaml-cpp.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::controller {

// any thread (immutable). Every document of one YAML stream: nodes in one
// vector, children as index ranges in another, scalar text in one buffer.
// An alias is the index of its anchored node, so aliases cost nothing and
// cannot multiply memory. Tags are ignored except that `!!str` keeps a
// null-looking plain scalar a string and `!!null` makes any scalar null.
class YamlTree {
 public:
  using node_id = std::uint32_t;
  static constexpr node_id none = UINT32_MAX;  // an absent node
  enum class type : std::uint8_t { null, scalar, sequence, map };

  // The root of each document, in order ("---" separated; none when empty).
  const std::vector<node_id>& documents() const { return documents_; }

  type kind(node_id n) const { return nodes_[n].kind; }
  // The text of a scalar, or of a null as written ("", "~", "null"); empty
  // for collections.
  std::string_view scalar(node_id n) const;
  // The value of the first member of map `n` whose key's text is `key`;
  // none when `n` is not a map or has no such key.
  node_id member(node_id n, std::string_view key) const;
  // A sequence's elements, or a map's keys and values alternating.
  std::span<const node_id> children(node_id n) const;

 private:
  friend class YamlTreeBuilder;

  struct Node {
    type kind;
    std::uint32_t first;  // scalar: offset in text_; collection: offset in children_
    std::uint32_t size;   // scalar: bytes; collection: entries in children_
  };

  std::vector<Node> nodes_;
  std::vector<node_id> children_;
  std::string text_;
  std::vector<node_id> documents_;
};

// Parses a whole YAML stream (JSON is YAML too). On a syntax error returns
// nullptr and sets `error` to one line that names the line and column.
std::shared_ptr<const YamlTree> parse_yaml(std::string_view text, std::string& error);

}  // namespace sluice::controller
