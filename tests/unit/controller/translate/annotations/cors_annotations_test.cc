// The cors group: enable-cors and the cors-* keys in, the typed CorsPolicy
// (origins and the Access-Control-* fields) or issues out. Nothing denies:
// every invalid value falls back to cors/main.go's default, and is reported.
#include <catch2/catch.hpp>

#include "controller/translate/annotations/annotation_groups.h"
#include "tests/unit/controller/fixture.h"

using namespace sluice;
using namespace sluice::controller;

namespace {

IngressAnnotations read(std::initializer_list<std::pair<const char*, const char*>> kv) {
  ObjectStore store;
  TranslatorOptions options;
  ControllerDefaults defaults;
  k8s::Ingress ingress;
  ingress.meta.ns = "default";
  ingress.meta.name = "web";
  for (auto [k, v] : kv) ingress.meta.annotations[std::string(nginx_annotation_prefix) + k] = v;
  return read_annotations(ingress, AnnotationContext{store, options, defaults});
}

std::map<std::string, std::string> fields(const CorsPolicy& cors) {
  std::map<std::string, std::string> out;
  for (const HeaderEdit& e : cors.fields) {
    CHECK(e.op == HeaderEditOp::set);  // more_set_headers replaces the backend's
    out[e.name] = e.value;
  }
  return out;
}

const std::map<std::string, std::string> defaults_fields = {
    {"Access-Control-Allow-Credentials", "true"},
    {"Access-Control-Allow-Methods", "GET, PUT, POST, DELETE, PATCH, OPTIONS"},
    {"Access-Control-Allow-Headers",
     "DNT,Keep-Alive,User-Agent,X-Requested-With,If-Modified-Since,Cache-Control,Content-Type,Range,Authorization"},
    {"Access-Control-Max-Age", "1728000"},
};

}  // namespace

TEST_CASE("enable-cors alone: any origin and the defaults", "[annotations][cors]") {
  auto a = read({{"enable-cors", "true"}});
  CHECK(a.issues.empty());
  REQUIRE(a.policy.cors);
  CHECK(a.policy.cors->any_origin);
  CHECK(fields(*a.policy.cors) == defaults_fields);
}

TEST_CASE("without enable-cors (or with it false or invalid) there is no CORS", "[annotations][cors]") {
  CHECK_FALSE(read({{"cors-allow-origin", "https://a.test"}}).policy.cors);
  CHECK_FALSE(read({{"enable-cors", "false"}}).policy.cors);
  auto invalid = read({{"enable-cors", "yes"}});
  CHECK_FALSE(invalid.policy.cors);
  CHECK(invalid.issues.size() == 1);
  CHECK_FALSE(invalid.policy.denied);
}

TEST_CASE("every cors-* key set", "[annotations][cors]") {
  auto a = read({{"enable-cors", "true"},
                 {"cors-allow-origin", "https://a.test, http://b.test:8080,https://*.c.test, null"},
                 {"cors-allow-methods", "GET, POST"},
                 {"cors-allow-headers", "X-One,X-Two"},
                 {"cors-expose-headers", "X-Exposed, *"},
                 {"cors-allow-credentials", "false"},
                 {"cors-max-age", "600"}});
  CHECK(a.issues.empty());
  REQUIRE(a.policy.cors);
  const CorsPolicy& c = *a.policy.cors;
  CHECK_FALSE(c.any_origin);
  CHECK(c.origins == std::vector<CorsOrigin>{{"https://a.test", false, ""},
                                            {"http://b.test:8080", false, ""},
                                            {"https://", true, ".c.test"},
                                            {"null", false, ""}});
  CHECK(fields(c) == std::map<std::string, std::string>{{"Access-Control-Allow-Methods", "GET, POST"},
                                                        {"Access-Control-Allow-Headers", "X-One,X-Two"},
                                                        {"Access-Control-Expose-Headers", "X-Exposed, *"},
                                                        {"Access-Control-Max-Age", "600"}});
}

TEST_CASE("cors-allow-origin: invalid is *, bad entries are skipped", "[annotations][cors]") {
  struct Case {
    const char* value;
    bool any;
    std::size_t origins;
    std::size_t issues;
  };
  const Case cases[] = {
      {"*", true, 0, 0},
      {"https://a.test, *", true, 0, 1},        // "*" beside others fails the validator: "*" anyway
      {"https://a.test/path", true, 0, 1},      // fails the validator: "*"
      {"https://a.test\nhttps://b.test", true, 0, 1},  // a newline: "*"
      {"", true, 0, 1},                         // empty content: "*"
      {"a.test", false, 0, 1},                  // no scheme: validator yes, entry no, skipped
      {"a.test, https://b.test", false, 1, 1},
      {"HTTPS://a.test", true, 0, 1},           // the scheme must be lowercase
      {"https://a.test https://b.test", false, 0, 1},  // one entry with a space in it: skipped
      {"https://a.test,,https://b.test", false, 2, 0},  // empty entries are dropped
  };
  for (const auto& c : cases) {
    INFO('"' << c.value << '"');
    auto a = read({{"enable-cors", "true"}, {"cors-allow-origin", c.value}});
    REQUIRE(a.policy.cors);
    CHECK(a.policy.cors->any_origin == c.any);
    CHECK(a.policy.cors->origins.size() == c.origins);
    CHECK(a.issues.size() == c.issues);
    CHECK_FALSE(a.policy.denied);
  }
}

TEST_CASE("invalid lists, booleans and ages fall back to the defaults", "[annotations][cors]") {
  struct Case {
    const char* key;
    const char* value;
    const char* field;     // the field to look at
    const char* expected;  // null: absent
  };
  const Case cases[] = {
      {"cors-allow-methods", "GET;POST", "Access-Control-Allow-Methods", "GET, PUT, POST, DELETE, PATCH, OPTIONS"},
      {"cors-allow-methods", "", "Access-Control-Allow-Methods", "GET, PUT, POST, DELETE, PATCH, OPTIONS"},
      {"cors-allow-methods", "GET,\rPOST", "Access-Control-Allow-Methods", "GET, PUT, POST, DELETE, PATCH, OPTIONS"},
      {"cors-allow-headers", "X-A;X-B", "Access-Control-Allow-Headers", defaults_fields.at("Access-Control-Allow-Headers").c_str()},
      {"cors-allow-headers", "X-A:1", "Access-Control-Allow-Headers", defaults_fields.at("Access-Control-Allow-Headers").c_str()},
      {"cors-expose-headers", "X-A;", "Access-Control-Expose-Headers", nullptr},
      {"cors-expose-headers", "", "Access-Control-Expose-Headers", nullptr},
      {"cors-allow-credentials", "maybe", "Access-Control-Allow-Credentials", "true"},
      {"cors-max-age", "1h", "Access-Control-Max-Age", "1728000"},
      {"cors-max-age", "", "Access-Control-Max-Age", "1728000"},
  };
  for (const auto& c : cases) {
    INFO(c.key << ": \"" << c.value << '"');
    auto a = read({{"enable-cors", "true"}, {c.key, c.value}});
    REQUIRE(a.policy.cors);
    CHECK(a.issues.size() == 1);
    const auto f = fields(*a.policy.cors);
    if (c.expected) {
      REQUIRE(f.count(c.field));
      CHECK(f.at(c.field) == c.expected);
    } else {
      CHECK_FALSE(f.count(c.field));
    }
  }
}

TEST_CASE("cors values are trimmed as normalizeString does, and a negative age passes", "[annotations][cors]") {
  auto a = read({{"enable-cors", "true"}, {"cors-allow-methods", "  GET, POST  "}, {"cors-max-age", "-1"}});
  REQUIRE(a.policy.cors);
  CHECK(a.issues.empty());
  CHECK(fields(*a.policy.cors).at("Access-Control-Allow-Methods") == "GET, POST");
  CHECK(fields(*a.policy.cors).at("Access-Control-Max-Age") == "-1");
}
