// The YAML reader: every form of YAML users write in manifests reads as the
// same tree, and syntax errors name their line and column.
#include <catch2/catch.hpp>

#include "controller/source/yaml_tree.h"

using namespace sluice::controller;
using type = YamlTree::type;

namespace {

// One line per tree: ~ for null, scalars quoted (newlines as \n), [..], {..}.
std::string dump(const YamlTree& t, YamlTree::node_id n) {
  switch (t.kind(n)) {
    case type::null: return "~";
    case type::scalar: {
      std::string out = "\"";
      for (char c : t.scalar(n)) out += c == '\n' ? std::string("\\n") : std::string(1, c);
      return out + "\"";
    }
    case type::sequence: {
      std::string out = "[";
      for (auto c : t.children(n)) out += (out.size() > 1 ? ", " : "") + dump(t, c);
      return out + "]";
    }
    case type::map: {
      std::string out = "{";
      auto c = t.children(n);
      for (std::size_t i = 0; i + 1 < c.size(); i += 2)
        out += (i ? ", " : "") + std::string(t.scalar(c[i])) + ": " + dump(t, c[i + 1]);
      return out + "}";
    }
  }
  return "?";
}

// Every document of `yaml`, one dump each, joined by " --- ".
std::string dump(std::string_view yaml) {
  std::string error;
  auto tree = parse_yaml(yaml, error);
  if (!tree) return "error: " + error;
  std::string out;
  for (auto d : tree->documents()) out += (out.empty() ? "" : " --- ") + dump(*tree, d);
  return out;
}

struct Case {
  const char* name;
  const char* yaml;
  const char* tree;
};

void check_cases(std::initializer_list<Case> cases) {
  for (const Case& c : cases) {
    INFO(c.name << "\n" << c.yaml);
    CHECK(dump(c.yaml) == c.tree);
  }
}

}  // namespace

TEST_CASE("block and flow style, comments and JSON read as the same tree", "[yaml]") {
  check_cases({
      {"block", "a: 1\nb:\n  - x\n  - y: z\n", R"({a: "1", b: ["x", {y: "z"}]})"},
      {"flow", "{a: 1, b: [x, {y: z}]}", R"({a: "1", b: ["x", {y: "z"}]})"},
      {"comments", "# head\na: 1 # trailing\n# between\nb: [x, # inside\n  y]\n",
       R"({a: "1", b: ["x", "y"]})"},
      {"JSON", R"({"a": 1, "b": ["x", {"y": "z"}], "t": true, "n": null})",
       R"({a: "1", b: ["x", {y: "z"}], t: "true", n: ~})"},
      {"compact JSON", R"({"a":1,"b":["x"]})", R"({a: "1", b: ["x"]})"},
      {"JSON with tabs", "{\n\t\"a\": [\n\t\t1\n\t]\n}", R"({a: ["1"]})"},
      {"a colon inside a plain scalar", "url: http://h:80/x\n", R"({url: "http://h:80/x"})"},
  });
}

TEST_CASE("quoted scalars keep their text, escapes included", "[yaml]") {
  check_cases({
      {"single", "a: 'it''s # not a comment'", R"({a: "it's # not a comment"})"},
      {"double with escapes", R"(a: "tab\there \"q\" \\ line\nnext \u00e9")",
       "{a: \"tab\there \"q\" \\ line\\nnext \xc3\xa9\"}"},
      {"quoted numbers stay text", "a: '80'\nb: \"true\"", R"({a: "80", b: "true"})"},
      {"multi-line double quoted folds", "a: \"one\n  two\"", R"({a: "one two"})"},
  });
}

TEST_CASE("block scalars keep or fold their lines as YAML says", "[yaml]") {
  check_cases({
      {"literal", "a: |\n  one\n  two\nb: x\n", R"({a: "one\ntwo\n", b: "x"})"},
      {"literal, strip", "a: |-\n  one\n  two\n", R"({a: "one\ntwo"})"},
      {"literal, keep", "a: |+\n  one\n\n", R"({a: "one\n\n"})"},
      {"literal keeps deeper indentation", "a: |\n  one\n    two\n", R"({a: "one\n  two\n"})"},
      {"folded", "a: >\n  one\n  two\n\n  three\n", R"({a: "one two\nthree\n"})"},
      {"folded, strip", "a: >-\n  one\n  two\n", R"({a: "one two"})"},
  });
}

TEST_CASE("~, null and empty values are null; quoted ones are strings", "[yaml]") {
  check_cases({
      {"nulls", "a: ~\nb: null\nc:\nd: Null\ne: NULL\n", "{a: ~, b: ~, c: ~, d: ~, e: ~}"},
      {"strings", "a: ''\nb: 'null'\nc: \"~\"\nd: nulls\n", R"({a: "", b: "null", c: "~", d: "nulls"})"},
      {"in lists", "[~, null, x]", R"([~, ~, "x"])"},
      {"a key with no value in flow", "{a, b: 1}", R"({a: ~, b: "1"})"},
  });
}

TEST_CASE("tags are ignored, except that !!str and !!null say what a scalar is", "[yaml]") {
  check_cases({
      {"!!str", "a: !!str 80\nb: !!str null\nc: !!str", R"({a: "80", b: "null", c: ""})"},
      {"!!int and custom tags", "a: !!int 5\nb: !custom v\nc: !<tag:x> [1]", R"({a: "5", b: "v", c: ["1"]})"},
      {"!!null", "a: !!null ''", "{a: ~}"},
      {"%TAG directive", "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n", R"({a: "1"})"},
  });
}

TEST_CASE("anchors and aliases share one node, within a document", "[yaml]") {
  check_cases({
      {"scalar", "a: &p 8080\nb: *p\n", R"({a: "8080", b: "8080"})"},
      {"map and list", "base: &b {port: 80, tags: &t [x]}\nuse: *b\nagain: *t\n",
       R"({base: {port: "80", tags: ["x"]}, use: {port: "80", tags: ["x"]}, again: ["x"]})"},
      {"redefined anchor: the latest wins", "- &a one\n- *a\n- &a two\n- *a\n", R"(["one", "one", "two", "two"])"},
      {"anchor on a key", "&k name: v\nother: *k\n", R"({name: "v", other: "name"})"},
  });
  std::string error;
  auto t = parse_yaml("a: &x {k: v}\nb: *x\n", error);
  REQUIRE(t);
  const auto root = t->documents().at(0);
  CHECK(t->member(root, "a") == t->member(root, "b"));  // not a copy
}

TEST_CASE("documents are split by --- and empty ones are null", "[yaml]") {
  check_cases({
      {"three", "a: 1\n---\nb: 2\n---\nc: 3\n", R"({a: "1"} --- {b: "2"} --- {c: "3"})"},
      {"leading --- and an end marker", "---\na: 1\n...\n---\nb: 2\n", R"({a: "1"} --- {b: "2"})"},
      {"empty documents", "---\n---\na: 1\n---\n", R"(~ --- {a: "1"} --- ~)"},
      {"nothing", "", ""},
      {"only a comment", "# nothing here\n", ""},
      {"a bare scalar", "hello", R"("hello")"},
  });
}

TEST_CASE("member finds the first key with that text, only in maps", "[yaml]") {
  std::string error;
  auto t = parse_yaml("a: 1\nb: [x]\na: 2\n", error);
  REQUIRE(t);
  const auto root = t->documents().at(0);
  CHECK(t->scalar(t->member(root, "a")) == "1");
  CHECK(t->member(root, "c") == YamlTree::none);
  CHECK(t->member(t->member(root, "b"), "x") == YamlTree::none);
  CHECK(t->member(t->member(root, "a"), "x") == YamlTree::none);
  CHECK(t->children(t->member(root, "a")).empty());
}

TEST_CASE("a syntax error is one line naming its line and column", "[yaml]") {
  check_cases({
      {"unclosed flow list", "a: 1\nb: [x, y\n",
       "error: line 3, column 1: did not find expected ',' or ']' (while parsing a flow sequence at line 2, column 4)"},
      {"bad indentation", "a:\n  b: 1\n c: 2\n",
       "error: line 3, column 2: did not find expected key (while parsing a block mapping at line 1, column 1)"},
      {"tab indentation", "a:\n\tb: 1\n",
       "error: line 2, column 1: found character that cannot start any token (while scanning for the next token at line 2, column 1)"},
      {"unclosed quote", "a: 'open\n",
       "error: line 2, column 1: found unexpected end of stream (while scanning a quoted scalar at line 1, column 4)"},
      {"unknown alias", "a: 1\nb: *nope\n", "error: line 2, column 4: unknown anchor *nope"},
      {"anchors do not cross documents", "a: &x 1\n---\nb: *x\n", "error: line 3, column 4: unknown anchor *x"},
      {"an alias inside its own anchor", "a: &x [1, *x]\n", "error: line 1, column 11: alias *x refers to a node that contains it"},
  });
}

TEST_CASE("collections nest at most 256 deep, so deep nesting costs no quadratic time", "[yaml]") {
  auto nested = [](std::size_t depth) { return std::string(depth, '[') + std::string(depth, ']'); };
  CHECK(dump(nested(256)).starts_with("[[[["));
  CHECK(dump(nested(257)) == "error: line 1, column 257: nested deeper than 256");
  // 100,000 levels took libyaml over a minute; refused at the 257th, it is instant.
  CHECK(dump(nested(100000)) == "error: line 1, column 257: nested deeper than 256");
  std::string block;
  for (std::size_t i = 0; i < 300; ++i) block += std::string(i, ' ') + "k:\n";
  CHECK(dump(block).find("nested deeper than 256") != std::string::npos);
}

TEST_CASE("aliases may not expand a document past a million nodes", "[yaml]") {
  // Each level aliases the one before 32 times: 32^4 = a million leaves.
  auto laughs = [](int levels) {
    std::string yaml = "l0: &l0 x\n";
    for (int i = 1; i <= levels; ++i) {
      yaml += "l" + std::to_string(i) + ": &l" + std::to_string(i) + " [";
      for (int j = 0; j < 32; ++j) yaml += (j ? ", *l" : "*l") + std::to_string(i - 1);
      yaml += "]\n";
    }
    return yaml;
  };
  CHECK(dump(laughs(3)).starts_with("{l0: \"x\", l1: [\"x\""));  // 32^3 + ...: allowed
  CHECK(dump(laughs(4)).find("aliases expand it to more than 1048576 nodes") != std::string::npos);
  CHECK(dump(laughs(4)).starts_with("error: line 5, column "));
}

TEST_CASE("invalid UTF-8 is an error with its byte offset", "[yaml]") {
  CHECK(dump("a: \xff\xfe\xfd\n").starts_with("error: byte 3: "));
}
