// The access group: allow/deny source ranges and basic auth, annotations
// (and Secrets) in, typed policy or issue out, with every invalid form and
// the effect ingress-nginx gives it (ignored, location denied, rejected).
#include <catch2/catch.hpp>

#include "controller/translate/annotations/annotation_groups.h"
#include "tests/unit/controller/fixture.h"

using namespace sluice;
using namespace sluice::controller;
using namespace sluice::controller::test;

namespace {

const std::string secrets =
    "apiVersion: v1\nkind: Secret\nmetadata: {name: users, namespace: default}\n"
    "stringData: {auth: \"# comment\\nalice:{PLAIN}a\\nbob:{PLAIN}b:extra\\nalice:{PLAIN}second\\r\\n\"}\n---\n"
    "apiVersion: v1\nkind: Secret\nmetadata: {name: map, namespace: default}\n"
    "stringData: {carol: \"{PLAIN}c\", dave: \"{PLAIN}d\"}\n---\n"
    "apiVersion: v1\nkind: Secret\nmetadata: {name: noauth, namespace: default}\n"
    "stringData: {other: x}\n---\n"
    "apiVersion: v1\nkind: Secret\nmetadata: {name: users, namespace: other}\n"
    "stringData: {auth: \"eve:{PLAIN}e\"}\n---\n";

struct Read {
  IngressAnnotations annotations;
  std::vector<AnnotationIssue> issues;  // of this group's keys
};

Read read(std::initializer_list<std::pair<const char*, const char*>> kv) {
  ObjectStore store;
  load(store, secrets);
  TranslatorOptions options;
  ControllerDefaults defaults;
  k8s::Ingress ingress;
  ingress.meta.ns = "default";
  ingress.meta.name = "web";
  for (auto [k, v] : kv) ingress.meta.annotations[std::string(nginx_annotation_prefix) + k] = v;
  Read r;
  r.annotations = read_annotations(ingress, AnnotationContext{store, options, defaults});
  r.issues = r.annotations.issues;
  return r;
}

std::vector<std::string> ranges(const std::vector<IpRange>& rs) {
  std::vector<std::string> out;
  for (const auto& r : rs) out.push_back(describe(r));
  return out;
}

IssueEffect only_effect(const Read& r) {
  REQUIRE(r.issues.size() == 1);
  return r.issues[0].effect;
}

}  // namespace

TEST_CASE("source ranges: CIDRs and addresses, v4 and v6, trimmed", "[annotations][access]") {
  auto r = read({{"allowlist-source-range", " 10.0.0.0/8, 192.168.1.1 ,2001:db8::/32"},
                 {"denylist-source-range", "10.1.2.3/16"}});
  CHECK(r.issues.empty());
  CHECK(ranges(r.annotations.policy.source_ranges.allow) ==
        std::vector<std::string>{"10.0.0.0/8", "192.168.1.1/32", "2001:db8::/32"});
  CHECK(ranges(r.annotations.policy.source_ranges.deny) == std::vector<std::string>{"10.1.0.0/16"});
  CHECK_FALSE(r.annotations.policy.denied);
}

TEST_CASE("whitelist-source-range is read only when allowlist-source-range is absent or empty",
          "[annotations][access]") {
  struct Case {
    std::initializer_list<std::pair<const char*, const char*>> kv;
    std::vector<std::string> allow;
    bool denied;
  };
  const Case cases[] = {
      {{{"whitelist-source-range", "10.0.0.0/8"}}, {"10.0.0.0/8"}, false},
      {{{"allowlist-source-range", "1.1.1.1"}, {"whitelist-source-range", "10.0.0.0/8"}}, {"1.1.1.1/32"}, false},
      {{{"allowlist-source-range", ""}, {"whitelist-source-range", "10.0.0.0/8"}}, {"10.0.0.0/8"}, false},
      // an empty allowlist-source-range with no alias: ingress-nginx's empty-content error
      {{{"allowlist-source-range", ""}}, {}, true},
      // an empty alias alone is never chosen: the main key is absent
      {{{"whitelist-source-range", ""}}, {}, false},
  };
  for (const auto& c : cases) {
    auto r = read(c.kv);
    CHECK(ranges(r.annotations.policy.source_ranges.allow) == c.allow);
    CHECK(r.annotations.policy.denied == c.denied);
  }
}

TEST_CASE("an invalid source range denies the location", "[annotations][access]") {
  const char* invalid[] = {"10.0.0.0/33", "10.0.0.0/8,", "example.com", "10.0.0.0/8, nope", "  ", "010.0.0.1",
                           "fe80::1%eth0", "1.2.3.4/8/9"};
  for (const char* value : invalid) {
    for (const char* key : {"allowlist-source-range", "whitelist-source-range", "denylist-source-range"}) {
      INFO(key << ": \"" << value << '"');
      auto r = read({{key, value}});
      CHECK(only_effect(r) == IssueEffect::location_denied);
      CHECK(r.issues[0].key == key);
      CHECK(r.annotations.policy.denied);
      CHECK(r.annotations.policy.source_ranges.empty());
    }
  }
}

TEST_CASE("basic auth from an auth-file Secret: nginx's reading of the lines", "[annotations][access]") {
  auto r = read({{"auth-type", "basic"}, {"auth-secret", "users"}, {"auth-realm", "Team only"}});
  CHECK(r.issues.empty());
  REQUIRE(r.annotations.policy.basic_auth);
  const BasicAuthPolicy& auth = *r.annotations.policy.basic_auth;
  CHECK(auth.challenge == "Basic realm=\"Team only\"");
  // the comment is skipped, bob's hash ends at ':', the second alice is never read
  CHECK(auth.users == std::vector<BasicCredential>{{"alice", "{PLAIN}a"}, {"bob", "{PLAIN}b"}});
  // proxy_set_header Authorization "": the backend never sees the credentials
  CHECK(r.annotations.policy.headers.request ==
        std::vector<HeaderEdit>{{HeaderEditOp::remove, "Authorization", ""}});
}

TEST_CASE("basic auth: auth-map, namespace/name, the default realm", "[annotations][access]") {
  auto r = read({{"auth-type", "basic"}, {"auth-secret", "default/map"}, {"auth-secret-type", "auth-map"}});
  CHECK(r.issues.empty());
  REQUIRE(r.annotations.policy.basic_auth);
  CHECK(r.annotations.policy.basic_auth->challenge == "Basic realm=\"\"");
  CHECK(r.annotations.policy.basic_auth->users ==
        std::vector<BasicCredential>{{"carol", "{PLAIN}c"}, {"dave", "{PLAIN}d"}});
}

TEST_CASE("htpasswd lines as nginx reads them", "[annotations][access]") {
  CHECK(parse_htpasswd("").empty());
  CHECK(parse_htpasswd("a:x\n\nb:y\r\n#c:z\n\rd:w\nnocolon\n:empty-user\ne:h:comment") ==
        std::vector<BasicCredential>{{"a", "x"}, {"b", "y"}, {"", "empty-user"}, {"e", "h"}});
  CHECK(parse_htpasswd(" a:x") == std::vector<BasicCredential>{{" a", "x"}});  // nothing is trimmed
}

TEST_CASE("basic auth errors: ignored, location denied or Ingress rejected as auth/main.go says",
          "[annotations][access]") {
  struct Case {
    const char* name;
    std::initializer_list<std::pair<const char*, const char*>> kv;
    std::optional<IssueEffect> effect;  // nullopt: no issue
    bool secured;
  };
  const Case cases[] = {
      {"no auth-type: nothing", {{"auth-secret", "users"}}, std::nullopt, false},
      {"an empty auth-type is ignored", {{"auth-type", ""}, {"auth-secret", "users"}}, IssueEffect::ignored, false},
      {"an auth-type failing the validator rejects the Ingress", {{"auth-type", "Basic"}, {"auth-secret", "users"}},
       IssueEffect::ingress_rejected, false},
      {"a CR in auth-type rejects", {{"auth-type", "basic\r"}, {"auth-secret", "users"}},
       IssueEffect::ingress_rejected, false},
      {"digest is not implemented: denied, not open", {{"auth-type", "digest"}, {"auth-secret", "users"}},
       IssueEffect::location_denied, false},
      {"any type merely containing basic is digest in the template", {{"auth-type", "xbasic"}, {"auth-secret", "users"}},
       IssueEffect::location_denied, false},
      {"spaces around basic are trimmed", {{"auth-type", " basic "}, {"auth-secret", "users"}}, std::nullopt, true},
      {"no auth-secret denies", {{"auth-type", "basic"}}, IssueEffect::location_denied, false},
      {"an empty auth-secret denies", {{"auth-type", "basic"}, {"auth-secret", ""}}, IssueEffect::location_denied, false},
      {"an auth-secret with odd characters denies", {{"auth-type", "basic"}, {"auth-secret", "us$ers"}},
       IssueEffect::location_denied, false},
      {"a/b/c denies", {{"auth-type", "basic"}, {"auth-secret", "a/b/c"}}, IssueEffect::location_denied, false},
      {"a missing Secret denies", {{"auth-type", "basic"}, {"auth-secret", "nope"}}, IssueEffect::location_denied, false},
      {"another namespace's Secret denies", {{"auth-type", "basic"}, {"auth-secret", "other/users"}},
       IssueEffect::location_denied, false},
      {"a Secret without the auth key denies", {{"auth-type", "basic"}, {"auth-secret", "noauth"}},
       IssueEffect::location_denied, false},
      {"an auth-secret-type failing the validator rejects",
       {{"auth-type", "basic"}, {"auth-secret", "users"}, {"auth-secret-type", "file"}}, IssueEffect::ingress_rejected,
       false},
      {"an auth-secret-type only containing a valid one denies",
       {{"auth-type", "basic"}, {"auth-secret", "users"}, {"auth-secret-type", "xauth-file"}},
       IssueEffect::location_denied, false},
      {"an empty auth-secret-type is auth-file",
       {{"auth-type", "basic"}, {"auth-secret", "users"}, {"auth-secret-type", ""}}, std::nullopt, true},
      {"an auth-realm with a quote rejects",
       {{"auth-type", "basic"}, {"auth-secret", "users"}, {"auth-realm", "a\"b"}}, IssueEffect::ingress_rejected, false},
      {"a missing Secret is found before a bad realm",
       {{"auth-type", "basic"}, {"auth-secret", "nope"}, {"auth-realm", "a\"b"}}, IssueEffect::location_denied, false},
      {"auth-realm off is no authentication, as auth_basic off",
       {{"auth-type", "basic"}, {"auth-secret", "users"}, {"auth-realm", "off"}}, std::nullopt, false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    auto r = read(c.kv);
    if (c.effect) {
      CHECK(only_effect(r) == *c.effect);
    } else {
      CHECK(r.issues.empty());
    }
    CHECK(r.annotations.policy.basic_auth.has_value() == c.secured);
    CHECK(r.annotations.policy.denied == (c.effect == IssueEffect::location_denied));
    CHECK(r.annotations.rejected() == (c.effect == IssueEffect::ingress_rejected));
  }
}

TEST_CASE("satisfy: exactly any or all once trimmed, anything else all", "[annotations][access]") {
  struct Case {
    const char* value;
    bool any;
    std::size_t issues;
  };
  const Case cases[] = {{"any", true, 0}, {" any ", true, 0}, {"all", false, 0}, {"ANY", false, 1},
                        {"", false, 1},   {"some", false, 1}};
  for (const auto& c : cases) {
    INFO('"' << c.value << '"');
    auto r = read({{"satisfy", c.value}});
    CHECK(r.annotations.policy.satisfy_any == c.any);
    CHECK(r.issues.size() == c.issues);
    CHECK_FALSE(r.annotations.policy.denied);
  }
}
