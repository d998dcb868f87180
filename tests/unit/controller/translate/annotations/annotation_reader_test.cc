// The annotation reader's value parsers and its report of keys no group
// took: one table per form, every invalid form included.
#include <catch2/catch.hpp>

#include "controller/translate/annotations/annotation_catalog.h"
#include "controller/translate/annotations/annotation_reader.h"

using namespace sluice::controller;

namespace {

std::map<std::string, std::string> prefixed(std::initializer_list<std::pair<const char*, const char*>> kv) {
  std::map<std::string, std::string> out;
  for (auto [k, v] : kv) out[std::string(nginx_annotation_prefix) + k] = v;
  return out;
}

}  // namespace

TEST_CASE("booleans are strconv.ParseBool's, anything else an invalid issue", "[annotations]") {
  struct Case {
    const char* text;
    std::optional<bool> expected;
  };
  const Case cases[] = {{"true", true},   {"True", true},   {"TRUE", true},   {"t", true},
                        {"T", true},      {"1", true},      {"false", false}, {"False", false},
                        {"FALSE", false}, {"f", false},     {"F", false},     {"0", false},
                        {"yes", {}},      {"on", {}},       {"", {}},         {" true", {}},
                        {"tRUE", {}},     {"2", {}}};
  for (const auto& c : cases) {
    INFO('"' << c.text << '"');
    CHECK(parse_go_bool(c.text) == c.expected);
    auto annotations = prefixed({{"ssl-redirect", c.text}});
    AnnotationReader reader(annotations);
    CHECK(reader.take_bool("ssl-redirect") == c.expected);
    CHECK(reader.issues().size() == (c.expected ? 0u : 1u));
  }
}

TEST_CASE("sizes are nginx's: digits with k, m or g, in bytes", "[annotations]") {
  struct Case {
    const char* text;
    std::optional<std::uint64_t> expected;
  };
  const Case cases[] = {{"0", 0},           {"512", 512},          {"8k", 8192},
                        {"8K", 8192},       {"1m", 1048576},       {"1M", 1048576},
                        {"2g", 2147483648}, {"", {}},              {"m", {}},
                        {"1.5m", {}},       {"-1", {}},            {"1mb", {}},
                        {"1 m", {}},        {"18446744073709551615g", {}}};
  for (const auto& c : cases) {
    INFO('"' << c.text << '"');
    CHECK(parse_nginx_size(c.text) == c.expected);
  }
}

TEST_CASE("integers are checked against the annotation's range", "[annotations]") {
  auto annotations = prefixed({{"a", "10"}, {"b", "0x10"}, {"c", "99"}, {"d", ""}, {"e", "-3"}});
  AnnotationReader reader(annotations);
  CHECK(reader.take_int("a", 0, 50) == 10);
  CHECK(reader.take_int("b", 0, 50) == std::nullopt);
  CHECK(reader.take_int("c", 0, 50) == std::nullopt);
  CHECK(reader.take_int("d", 0, 50) == std::nullopt);
  CHECK(reader.take_int("e", -5, 5) == -3);
  CHECK(reader.take_int("absent", 0, 5) == std::nullopt);
  REQUIRE(reader.issues().size() == 3);
  CHECK(reader.issues()[0].key == "b");
  CHECK(reader.issues()[1].message.find("outside 0..50") != std::string::npos);
}

TEST_CASE("keys no group took are reported by what they are", "[annotations]") {
  auto annotations = prefixed({{"ssl-redirect", "false"},
                               {"configuration-snippet", "more_set_headers \"X: y\";"},
                               {"proxy-buffering", "on"},
                               {"ssl-redirekt", "false"}});
  annotations["kubernetes.io/ingress.class"] = "nginx";  // not ours to judge
  AnnotationReader reader(annotations);
  (void)reader.take("ssl-redirect");
  auto issues = std::move(reader).finish();
  REQUIRE(issues.size() == 3);
  CHECK(issues[0] == AnnotationIssue{"configuration-snippet", IssueKind::snippet, IssueEffect::ignored,
                                     "configuration text is never spliced in; the Ingress is served without it"});
  CHECK(issues[1].key == "proxy-buffering");
  CHECK(issues[1].kind == IssueKind::unsupported);
  CHECK(issues[2].key == "ssl-redirekt");
  CHECK(issues[2].kind == IssueKind::unknown);
  CHECK(describe(issues[2]) ==
        "annotation nginx.ingress.kubernetes.io/ssl-redirekt: not an ingress-nginx annotation; ignored");
}

TEST_CASE("the invalid message says what the Ingress loses", "[annotations]") {
  auto annotations = prefixed({{"x", "1"}});
  AnnotationReader reader(annotations);
  reader.invalid("a", "bad", IssueEffect::ignored);
  reader.invalid("b", "bad", IssueEffect::location_denied);
  reader.invalid("c", "bad", IssueEffect::ingress_rejected);
  const auto& i = reader.issues();
  CHECK(i[0].message == "bad; ignored");
  CHECK(i[1].message == "bad; the Ingress's paths answer 503");
  CHECK(i[2].message == "bad; the Ingress is not served");
}

TEST_CASE("the catalog has each key once, snippets refused", "[annotations]") {
  std::set<std::string_view> keys;
  for (const CatalogEntry& e : annotation_catalog()) {
    INFO(e.key);
    CHECK(keys.insert(e.key).second);
    CHECK(find_in_catalog(e.key) == &e);
    if (e.key.ends_with("-snippet")) CHECK(e.support == Support::refused);
    if (e.support != Support::supported) CHECK(!e.note.empty());
  }
  CHECK(find_in_catalog("no-such-annotation") == nullptr);
  CHECK(find_in_catalog("ssl-redirect")->support == Support::supported);
}
