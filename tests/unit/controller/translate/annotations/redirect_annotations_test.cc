// The redirect, rewrite (app-root) and hosts groups: annotations in, typed
// policy and issues out, every invalid form as ingress-nginx v1.15.1's
// redirect/main.go, rewrite/main.go, upstreamvhost and alias parsers treat it.
#include <catch2/catch.hpp>

#include "controller/translate/annotations/ingress_annotations.h"

using namespace sluice;
using namespace sluice::controller;

namespace {

IngressAnnotations read(const std::vector<std::pair<const char*, const char*>>& kv, int http_redirect_code = 308) {
  k8s::Ingress ing;
  for (auto [k, v] : kv) ing.meta.annotations[std::string(nginx_annotation_prefix) + k] = v;
  static const ObjectStore store;
  static const TranslatorOptions options;
  ControllerDefaults defaults;
  defaults.http_redirect_code = http_redirect_code;
  return read_annotations(ing, AnnotationContext{store, options, defaults});
}

// "<key>:<kind>:<effect>" per issue, for compact expectations.
std::vector<std::string> issues_of(const IngressAnnotations& a) {
  std::vector<std::string> out;
  for (const auto& i : a.issues)
    out.push_back(i.key + ":" + std::string(issue_kind_name(i.kind)) + ":" + std::string(issue_effect_name(i.effect)));
  return out;
}

using Issues = std::vector<std::string>;

}  // namespace

TEST_CASE("temporal-redirect and permanent-redirect become a return, as redirect.Parse decides", "[annotations][redirect]") {
  struct Case {
    const char* name;
    std::vector<std::pair<const char*, const char*>> annotations;
    std::optional<ReturnRedirect> expected;
    Issues issues;
  };
  const Case cases[] = {
      {"permanent, default code", {{"permanent-redirect", "https://new.example/x?a=b"}},
       ReturnRedirect{301, "https://new.example/x?a=b"}, {}},
      {"permanent, its code", {{"permanent-redirect", "https://n.example"}, {"permanent-redirect-code", "308"}},
       ReturnRedirect{308, "https://n.example"}, {}},
      {"permanent code 300 is in range (a body, no Location)",
       {{"permanent-redirect", "https://n.example"}, {"permanent-redirect-code", "300"}},
       ReturnRedirect{300, "https://n.example"}, {}},
      {"permanent code out of range falls back to 301",
       {{"permanent-redirect", "https://n.example"}, {"permanent-redirect-code", "309"}},
       ReturnRedirect{301, "https://n.example"}, {"permanent-redirect-code:invalid:ignored"}},
      {"permanent code below range", {{"permanent-redirect", "https://n.example"}, {"permanent-redirect-code", "200"}},
       ReturnRedirect{301, "https://n.example"}, {"permanent-redirect-code:invalid:ignored"}},
      {"permanent code that is no integer rejects the Ingress",
       {{"permanent-redirect", "https://n.example"}, {"permanent-redirect-code", "30x"}},
       std::nullopt, {"permanent-redirect-code:invalid:ingress_rejected"}},
      {"Atoi takes a sign", {{"permanent-redirect", "https://n.example"}, {"permanent-redirect-code", "+302"}},
       ReturnRedirect{302, "https://n.example"}, {}},
      {"permanent keeps a relative URL (nginx makes it absolute)", {{"permanent-redirect", "/moved"}},
       ReturnRedirect{301, "/moved"}, {}},
      {"permanent takes any scheme", {{"permanent-redirect", "ftp://files.example"}},
       ReturnRedirect{301, "ftp://files.example"}, {}},
      {"a URL with '$' fails URL validation", {{"permanent-redirect", "https://n.example$request_uri"}},
       std::nullopt, {"permanent-redirect:invalid:ingress_rejected"}},
      {"a URL with a space fails it", {{"permanent-redirect", "https://n.example/a b"}},
       std::nullopt, {"permanent-redirect:invalid:ingress_rejected"}},
      {"a URL with a newline fails it", {{"permanent-redirect", "https://n.example/\nx"}},
       std::nullopt, {"permanent-redirect:invalid:ingress_rejected"}},
      {"an empty URL drops the configuration", {{"permanent-redirect", ""}}, std::nullopt,
       {"permanent-redirect:invalid:ignored"}},
      {"temporal, default code", {{"temporal-redirect", "http://t.example/"}}, ReturnRedirect{302, "http://t.example/"}, {}},
      {"temporal, its code", {{"temporal-redirect", "http://t.example"}, {"temporal-redirect-code", "307"}},
       ReturnRedirect{307, "http://t.example"}, {}},
      {"temporal code 308 is out of its range",
       {{"temporal-redirect", "http://t.example"}, {"temporal-redirect-code", "308"}},
       ReturnRedirect{302, "http://t.example"}, {"temporal-redirect-code:invalid:ignored"}},
      {"temporal wins over permanent",
       {{"temporal-redirect", "http://t.example"}, {"permanent-redirect", "http://p.example"},
        {"permanent-redirect-code", "oops"}},
       ReturnRedirect{302, "http://t.example"}, {}},
      {"temporal needs an http(s) scheme", {{"temporal-redirect", "ftp://t.example"}}, std::nullopt,
       {"temporal-redirect:invalid:ignored"}},
      {"temporal's scheme is compared lowercased", {{"temporal-redirect", "HTTPS://t.example"}},
       ReturnRedirect{302, "HTTPS://t.example"}, {}},
      {"a relative temporal URL has no scheme", {{"temporal-redirect", "/t"}}, std::nullopt,
       {"temporal-redirect:invalid:ignored"}},
      {"temporal-redirect-code alone does nothing", {{"temporal-redirect-code", "307"}}, std::nullopt, {}},
      {"permanent-redirect-code alone does nothing", {{"permanent-redirect-code", "308"}}, std::nullopt, {}},
      {"an empty temporal URL drops permanent too",
       {{"temporal-redirect", ""}, {"permanent-redirect", "http://p.example"}}, std::nullopt,
       {"temporal-redirect:invalid:ignored"}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    IngressAnnotations a = read(c.annotations);
    CHECK(a.policy.redirect == c.expected);
    CHECK(issues_of(a) == c.issues);
  }
}

TEST_CASE("from-to-www-redirect is a server-level flag with http-redirect-code", "[annotations][redirect]") {
  auto on = read({{"from-to-www-redirect", "true"}}, 301);
  CHECK(on.from_to_www);
  CHECK(on.www_redirect_code == 301);
  CHECK(on.issues.empty());
  CHECK_FALSE(read({{"from-to-www-redirect", "false"}}).from_to_www);
  CHECK(read({{"from-to-www-redirect", "T"}, {"permanent-redirect", "https://p.example"}}).from_to_www);

  auto bad = read({{"from-to-www-redirect", "yes"}, {"permanent-redirect", "https://p.example"}});
  CHECK(issues_of(bad) == Issues{"from-to-www-redirect:invalid:ingress_rejected"});
  CHECK(bad.rejected());
  // Empty is invalid content, not a validation error: the redirect configuration is dropped.
  auto empty = read({{"from-to-www-redirect", ""}, {"permanent-redirect", "https://p.example"}});
  CHECK(issues_of(empty) == Issues{"from-to-www-redirect:invalid:ignored"});
  CHECK_FALSE(empty.policy.redirect);
  // A dropped redirect configuration drops from-to-www-redirect with it.
  CHECK_FALSE(read({{"from-to-www-redirect", "true"}, {"temporal-redirect", "ftp://x"}}).from_to_www);
  CHECK_FALSE(read({{"from-to-www-redirect", "true"}, {"permanent-redirect-code", "x"}}).from_to_www);
}

TEST_CASE("app-root takes an absolute path; anything else is ignored with an issue", "[annotations][rewrite]") {
  struct Case {
    const char* value;
    const char* expected;
    Issues issues;
  };
  const Case cases[] = {
      {"/app", "/app", {}},
      {"/app/v1/", "/app/v1/", {}},
      {"//app", "//app", {}},
      {"/a:b~c_d.e-f", "/a:b~c_d.e-f", {}},
      {"app", "", {"app-root:invalid:ignored"}},
      {"http://x.example/app", "", {"app-root:invalid:ignored"}},
      {"/app?x=1", "", {"app-root:invalid:ignored"}},
      {"/a b", "", {"app-root:invalid:ignored"}},
      {"", "", {"app-root:invalid:ignored"}},
      {"/app$1", "", {"app-root:unsupported:ignored"}},
  };
  for (const auto& c : cases) {
    INFO('"' << c.value << '"');
    auto a = read({{"app-root", c.value}});
    CHECK(a.app_root == c.expected);
    CHECK(issues_of(a) == c.issues);
    CHECK_FALSE(a.rejected());
  }
}

TEST_CASE("upstream-vhost sets Host upstream; a bad server name rejects the Ingress", "[annotations][hosts]") {
  struct Case {
    const char* value;
    const char* expected;  // "" for no edit
    Issues issues;
  };
  const Case cases[] = {
      {"internal.example", "internal.example", {}},
      {"internal.example:8080", "internal.example:8080", {}},
      {"  padded.example ", "padded.example", {}},
      {"a b.example", "", {"upstream-vhost:invalid:ingress_rejected"}},
      {"x\"y", "", {"upstream-vhost:invalid:ingress_rejected"}},
      {"", "", {"upstream-vhost:invalid:ignored"}},
      {"$host", "", {"upstream-vhost:unsupported:ignored"}},
  };
  for (const auto& c : cases) {
    INFO('"' << c.value << '"');
    auto a = read({{"upstream-vhost", c.value}});
    std::vector<HeaderEdit> expected;
    if (*c.expected) expected.push_back({HeaderEditOp::set, "Host", c.expected});
    CHECK(a.policy.headers.request == expected);
    CHECK(issues_of(a) == c.issues);
  }
}

TEST_CASE("server-alias is a sorted, deduplicated list of plain names", "[annotations][hosts]") {
  struct Case {
    const char* value;
    std::vector<std::string> expected;
    Issues issues;
  };
  const Case cases[] = {
      {"b.example, a.example", {"a.example", "b.example"}, {}},
      {"a.example,a.example,,", {"a.example"}, {}},
      {"*.wild.example", {"*.wild.example"}, {}},
      {"Upper.Example", {"upper.example"}, {}},
      {"~^www\\d+\\.example$", {}, {"server-alias:unsupported:ignored"}},
      {"a.example, ~^x$", {"a.example"}, {"server-alias:unsupported:ignored"}},
      {"a.example b.example", {}, {"server-alias:invalid:ingress_rejected"}},
      {"a.example;", {}, {"server-alias:invalid:ingress_rejected"}},
      {"", {}, {"server-alias:invalid:ignored"}},
  };
  for (const auto& c : cases) {
    INFO('"' << c.value << '"');
    auto a = read({{"server-alias", c.value}});
    CHECK(a.aliases == c.expected);
    CHECK(issues_of(a) == c.issues);
  }
}

TEST_CASE("relative-redirects is validated as redirect.Parse does, and not applied", "[annotations][redirect]") {
  CHECK(issues_of(read({{"relative-redirects", "true"}})) == Issues{"relative-redirects:unsupported:ignored"});
  CHECK(read({{"relative-redirects", "false"}}).issues.empty());
  auto bad = read({{"relative-redirects", "nope"}, {"permanent-redirect", "https://p.example"}});
  CHECK(issues_of(bad) == Issues{"relative-redirects:invalid:ingress_rejected"});
  CHECK(bad.rejected());
}

TEST_CASE("x-forwarded-prefix is validated; it only ever goes with rewrite-target", "[annotations][rewrite]") {
  CHECK(read({{"x-forwarded-prefix", "/prefix"}}).issues.empty());
  CHECK(read({{"x-forwarded-prefix", "/a $1"}}).issues.empty());  // spaces are removed before validation
  CHECK(issues_of(read({{"x-forwarded-prefix", "/a?b"}})) == Issues{"x-forwarded-prefix:invalid:ingress_rejected"});
  CHECK(read({{"x-forwarded-prefix", "/a?b"}}).rejected());
  CHECK(issues_of(read({{"x-forwarded-prefix", "/prefix"}, {"rewrite-target", "/$1"}})) ==
        Issues{"x-forwarded-prefix:unsupported:ignored", "rewrite-target:unsupported:ignored"});
}
