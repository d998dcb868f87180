// libyaml events to a YamlTree; see yaml_tree.h.
#include "controller/source/yaml_tree.h"

#include <algorithm>
#include <new>
#include <unordered_map>

#include <yaml.h>

namespace sluice::controller {
namespace {

using node_id = YamlTree::node_id;

// Offsets in the tree are 32-bit; no manifest or kubeconfig comes near this.
constexpr std::size_t max_input_bytes = std::size_t{1} << 30;

// libyaml rescans every open flow level for each token it scans
// (yaml_parser_stale_simple_keys), so its time grows with the square of the
// nesting: 32,000 nested "[" took 2 s, 100,000 over a minute (found with
// the yaml_manifest fuzz target). Kubernetes objects nest about 20 deep, CRD schemas about 40;
// simdjson refuses JSON nested deeper than 1024.
constexpr std::size_t max_depth = 256;

// An alias costs nothing in the tree, but the decoders copy what they read:
// a 22 KB Ingress whose rules alias one rule whose paths alias one path took
// 570 MB (found with the yaml_manifest fuzz target), the YAML "billion
// laughs". A document may read as at most this many nodes, or four times the
// nodes it really has, whichever is more (as go-yaml limits alias expansion).
constexpr std::uint64_t max_expanded_nodes = 1 << 20;

std::string_view view(const yaml_char_t* s) {
  return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view();
}

bool is_text(YamlTree::type t) { return t == YamlTree::type::scalar || t == YamlTree::type::null; }

std::string where(const yaml_mark_t& m) {
  return "line " + std::to_string(m.line + 1) + ", column " + std::to_string(m.column + 1);
}

// Tags are ignored, but `!!str` and `!!null` say what a plain scalar is.
bool is_null(const yaml_event_t& e) {
  const std::string_view tag = view(e.data.scalar.tag);
  if (tag == YAML_NULL_TAG) return true;
  if (tag == YAML_STR_TAG || e.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
  const std::string_view v(reinterpret_cast<const char*>(e.data.scalar.value), e.data.scalar.length);
  return v.empty() || v == "~" || v == "null" || v == "Null" || v == "NULL";
}

// Owns a libyaml parser over one text and the event it produced last.
class EventReader {
 public:
  explicit EventReader(std::string_view text) {
    if (!yaml_parser_initialize(&parser_)) throw std::bad_alloc();
    yaml_parser_set_input_string(&parser_, reinterpret_cast<const unsigned char*>(text.data()),
                                 text.size());
  }
  ~EventReader() {
    clear();
    yaml_parser_delete(&parser_);
  }
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  // The next event; nullptr on a syntax error (then see error()).
  const yaml_event_t* next() {
    clear();
    if (!yaml_parser_parse(&parser_, &event_)) return nullptr;
    has_event_ = true;
    return &event_;
  }

  std::string error() const {
    const yaml_parser_t& p = parser_;
    if (p.error == YAML_MEMORY_ERROR) return "out of memory";
    const std::string problem = p.problem ? p.problem : "invalid YAML";
    if (p.error == YAML_READER_ERROR)  // encoding problems have no line, only an offset
      return "byte " + std::to_string(p.problem_offset) + ": " + problem;
    std::string out = where(p.problem_mark) + ": " + problem;
    if (p.context) out += " (" + std::string(p.context) + " at " + where(p.context_mark) + ")";
    return out;
  }

 private:
  void clear() {
    if (has_event_) yaml_event_delete(&event_);
    has_event_ = false;
  }

  yaml_parser_t parser_;
  yaml_event_t event_;
  bool has_event_ = false;
};

}  // namespace

// Turns the event stream into nodes. A collection's children gather on one
// pending stack while it is open and move to the tree in one piece when it
// closes, so each collection's children are contiguous.
class YamlTreeBuilder {
 public:
  // Reserves for typical manifests (a node per ~12 bytes of YAML), so the
  // vectors rarely grow: regrowth showed up in profiles of big folders.
  YamlTreeBuilder(YamlTree& tree, std::size_t text_bytes) : t_(tree) {
    t_.nodes_.reserve(text_bytes / 12);
    t_.children_.reserve(text_bytes / 12);
    t_.text_.reserve(text_bytes / 2);
    expanded_.reserve(text_bytes / 12);
  }

  // Applies one event; false (and error()) on an alias that cannot resolve
  // or a collection nested too deep.
  bool on_event(const yaml_event_t& e) {
    switch (e.type) {
      case YAML_DOCUMENT_START_EVENT: anchors_.clear(); return true;  // anchors are per document
      case YAML_SCALAR_EVENT: on_scalar(e); return true;
      case YAML_ALIAS_EVENT: return on_alias(e);
      case YAML_SEQUENCE_START_EVENT:
        if (open_.size() >= max_depth) return fail(e, "nested deeper than " + std::to_string(max_depth));
        open(YamlTree::type::sequence, e.data.sequence_start.anchor);
        return true;
      case YAML_MAPPING_START_EVENT:
        if (open_.size() >= max_depth) return fail(e, "nested deeper than " + std::to_string(max_depth));
        open(YamlTree::type::map, e.data.mapping_start.anchor);
        return true;
      case YAML_SEQUENCE_END_EVENT:
      case YAML_MAPPING_END_EVENT: return close(e);
      default: return true;  // stream start/end, document end
    }
  }

  const std::string& error() const { return error_; }

 private:
  struct Open {
    node_id id;
    std::size_t first_pending;
  };

  node_id add(YamlTree::type kind, std::size_t first, std::size_t size) {
    t_.nodes_.push_back({kind, static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(size)});
    expanded_.push_back(1);
    return static_cast<node_id>(t_.nodes_.size() - 1);
  }

  // A finished node (or an open collection) joins its parent, or is a root.
  void attach(node_id n) {
    if (open_.empty())
      t_.documents_.push_back(n);
    else
      pending_.push_back(n);
  }

  void remember(const yaml_char_t* anchor, node_id n) {
    if (anchor) anchors_.insert_or_assign(std::string(view(anchor)), n);
  }

  void on_scalar(const yaml_event_t& e) {
    const auto& s = e.data.scalar;
    const std::size_t offset = t_.text_.size();
    t_.text_.append(reinterpret_cast<const char*>(s.value), s.length);
    const node_id n = add(is_null(e) ? YamlTree::type::null : YamlTree::type::scalar, offset, s.length);
    remember(s.anchor, n);
    attach(n);
  }

  bool on_alias(const yaml_event_t& e) {
    const std::string_view name = view(e.data.alias.anchor);
    auto it = anchors_.find(std::string(name));
    if (it == anchors_.end()) return fail(e, "unknown anchor *" + std::string(name));
    for (const Open& o : open_)  // a cycle would make readers loop forever
      if (o.id == it->second) return fail(e, "alias *" + std::string(name) + " refers to a node that contains it");
    attach(it->second);
    return true;
  }

  void open(YamlTree::type kind, const yaml_char_t* anchor) {
    const node_id n = add(kind, 0, 0);
    remember(anchor, n);
    attach(n);
    open_.push_back({n, pending_.size()});
  }

  bool close(const yaml_event_t& e) {
    const Open o = open_.back();
    open_.pop_back();
    // Each child is below the limit (checked when it closed), so no overflow.
    std::uint64_t expanded = 1;
    for (std::size_t i = o.first_pending; i < pending_.size(); ++i) expanded += expanded_[pending_[i]];
    expanded_[o.id] = expanded;
    const std::uint64_t limit = std::max<std::uint64_t>(max_expanded_nodes, 4 * t_.nodes_.size());
    if (expanded > limit) return fail(e, "aliases expand it to more than " + std::to_string(limit) + " nodes");
    auto& node = t_.nodes_[o.id];
    node.first = static_cast<std::uint32_t>(t_.children_.size());
    node.size = static_cast<std::uint32_t>(pending_.size() - o.first_pending);
    t_.children_.insert(t_.children_.end(), pending_.begin() + static_cast<std::ptrdiff_t>(o.first_pending),
                        pending_.end());
    pending_.resize(o.first_pending);
    return true;
  }

  bool fail(const yaml_event_t& e, const std::string& what) {
    error_ = where(e.start_mark) + ": " + what;
    return false;
  }

  YamlTree& t_;
  std::vector<Open> open_;
  std::vector<node_id> pending_;
  std::vector<std::uint64_t> expanded_;  // by node: how many nodes it reads as, aliases expanded
  std::unordered_map<std::string, node_id> anchors_;
  std::string error_;
};

std::string_view YamlTree::scalar(node_id n) const {
  const Node& node = nodes_[n];
  if (!is_text(node.kind)) return {};
  return std::string_view(text_).substr(node.first, node.size);
}

YamlTree::node_id YamlTree::member(node_id n, std::string_view key) const {
  if (nodes_[n].kind != type::map) return none;
  // Kubernetes maps are small (a handful of keys): a linear scan is fastest.
  const std::span<const node_id> c = children(n);
  for (std::size_t i = 0; i + 1 < c.size(); i += 2)
    if (is_text(nodes_[c[i]].kind) && scalar(c[i]) == key) return c[i + 1];
  return none;
}

std::span<const YamlTree::node_id> YamlTree::children(node_id n) const {
  const Node& node = nodes_[n];
  if (node.kind != type::sequence && node.kind != type::map) return {};
  return std::span<const node_id>(children_).subspan(node.first, node.size);
}

std::shared_ptr<const YamlTree> parse_yaml(std::string_view text, std::string& error) {
  if (text.size() > max_input_bytes) {
    error = "larger than " + std::to_string(max_input_bytes) + " bytes";
    return nullptr;
  }
  auto tree = std::make_shared<YamlTree>();
  YamlTreeBuilder builder(*tree, text.size());
  EventReader reader(text);
  for (;;) {
    const yaml_event_t* e = reader.next();
    if (!e) {
      error = reader.error();
      return nullptr;
    }
    if (e->type == YAML_STREAM_END_EVENT) return tree;
    if (!builder.on_event(*e)) {
      error = builder.error();
      return nullptr;
    }
  }
}

}  // namespace sluice::controller
