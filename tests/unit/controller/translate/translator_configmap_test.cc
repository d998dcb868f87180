// The translator and --configmap: the snapshot carries the settings, global
// header edits reach every route, problems are warnings on the ConfigMap.
#include <catch2/catch.hpp>

#include "../fixture.h"

namespace sluice::controller {
namespace {

using namespace test;

const std::string objects =
    ingress({.name = "web", .rules = {rule("a.test", {path("/", "Prefix", "web")})}, .default_service = "web"}) +
    service_with_endpoints("web", "10.0.0.1") +
    "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: resp, namespace: ingress}\ndata: {X-Frame-Options: DENY}\n---\n";

std::string settings(const std::string& data) {
  return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: config, namespace: ingress}\ndata: {" + data + "}\n---\n";
}

TranslatorOptions with_configmap() {
  TranslatorOptions o;
  o.configmap = "ingress/config";
  return o;
}

TEST_CASE("the ConfigMap's settings travel in the snapshot", "[translator][configmap]") {
  auto r = translate_yaml(objects + settings("block-user-agents: BadBot, hsts: \"false\""), with_configmap());
  const ProxySettings& s = r.table->settings();
  CHECK(s.from_configmap);
  CHECK_FALSE(s.hsts);
  REQUIRE(s.block_user_agents.size() == 1);
  CHECK(r.warnings.empty());
  CHECK(r.table->dump().find("block-user-agents 6:BadBot") != std::string::npos);
}

TEST_CASE("without --configmap a ConfigMap in the store changes nothing", "[translator][configmap]") {
  auto r = translate_yaml(objects + settings("block-user-agents: BadBot"));
  CHECK_FALSE(r.table->settings().from_configmap);
  CHECK_FALSE(r.table->settings().blocks_anything());
}

TEST_CASE("add-headers edits every route's responses, default backends included", "[translator][configmap]") {
  auto r = translate_yaml(objects + settings("add-headers: ingress/resp"), with_configmap());
  const std::vector<HeaderEdit> want{{HeaderEditOp::set, "X-Frame-Options", "DENY"}};
  for (const Route& route : r.table->routes()) {
    INFO(route.host << " " << route.path << " default " << route.is_default);
    CHECK(r.table->policy(route).headers.response == want);
  }
  CHECK(r.table->routes().size() >= 2);
}

TEST_CASE("ConfigMap problems are warnings on the ConfigMap; unknown keys are handed back",
          "[translator][configmap]") {
  auto r = translate_yaml(objects + settings("http-redirect-code: \"303\", use-gzip: \"true\""), with_configmap());
  CHECK(has_warning(r, "ConfigMap ingress/config: http-redirect-code: \"303\""));
  CHECK(r.ignored_config_keys == std::vector<std::string>{"use-gzip"});
  auto missing = translate_yaml(objects, with_configmap());
  CHECK(has_warning(missing, "ConfigMap ingress/config: ConfigMap ingress/config not found"));
}

}  // namespace
}  // namespace sluice::controller
