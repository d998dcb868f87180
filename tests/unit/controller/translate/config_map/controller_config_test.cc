// The controller's ConfigMap, key by key: text in, typed value or problem out.
#include "controller/translate/config_map/controller_config.h"

#include <catch2/catch.hpp>

#include "../../fixture.h"

namespace sluice::controller {
namespace {

using test::load;

std::string config_map(const std::string& name, const std::map<std::string, std::string>& data,
                       const std::string& ns = "ingress") {
  std::string out = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: " + ns + "}\ndata:\n";
  for (const auto& [k, v] : data) {
    std::string quoted;
    for (char c : v) quoted += c == '"' || c == '\\' ? std::string("\\") + c : std::string(1, c);
    out += "  " + k + ": \"" + quoted + "\"\n";
  }
  if (data.empty()) out += "  {}\n";
  return out + "---\n";
}

ControllerConfig read(const std::map<std::string, std::string>& data, const std::string& extra = "") {
  ObjectStore store;
  load(store, config_map("config", data) + extra);
  return read_controller_config(store, "ingress/config");
}

bool has_problem(const ControllerConfig& c, std::string_view fragment) {
  for (const auto& p : c.problems)
    if (p.find(fragment) != std::string::npos) return true;
  return false;
}

TEST_CASE("without --configmap the flags decide and nothing is read", "[configmap]") {
  ObjectStore store;
  load(store, config_map("config", {{"hsts", "false"}}));
  ControllerConfig c = read_controller_config(store, "");
  CHECK_FALSE(c.proxy.from_configmap);
  CHECK_FALSE(c.proxy.hsts);
  CHECK(c.problems.empty());
}

TEST_CASE("a missing ConfigMap gives ingress-nginx's defaults and a problem", "[configmap]") {
  ObjectStore store;
  ControllerConfig c = read_controller_config(store, "ingress/config");
  CHECK(c.proxy.from_configmap);
  CHECK(c.proxy.hsts == HstsPolicy{});
  CHECK(has_problem(c, "not found"));
}

TEST_CASE("an empty ConfigMap is ingress-nginx's defaults", "[configmap]") {
  ControllerConfig c = read({});
  CHECK(c.problems.empty());
  CHECK(c.ignored_keys.empty());
  CHECK(c.defaults.ssl_redirect);
  CHECK(c.defaults.http_redirect_code == 308);
  CHECK(c.defaults.proxy_body_size == 1024 * 1024);
  CHECK(c.defaults.proxy_connect_timeout_seconds == 5);
  CHECK(c.defaults.proxy_next_upstream == "error timeout");
  CHECK(c.defaults.limit_req_status_code == 503);
  REQUIRE(c.proxy.hsts);
  CHECK(c.proxy.hsts->max_age_seconds == 31536000);
  CHECK(c.proxy.hsts->include_subdomains);
  CHECK_FALSE(c.proxy.hsts->preload);
  CHECK_FALSE(c.proxy.client_address.real_ip);
  REQUIRE(c.proxy.client_address.trusted.size() == 1);
  CHECK(to_string(c.proxy.client_address.trusted[0]) == "0.0.0.0/0");
  CHECK_FALSE(c.proxy.blocks_anything());
  CHECK_FALSE(c.proxy.keepalive_timeout);
  CHECK(c.global_headers.empty());
}

TEST_CASE("the backend defaults annotations fall back to", "[configmap]") {
  struct Case {
    std::string key, value;
    bool valid;
  };
  for (const Case& k : std::vector<Case>{
           {"ssl-redirect", "false", true}, {"ssl-redirect", "no", false},
           {"http-redirect-code", "301", true}, {"http-redirect-code", "303", false}, {"http-redirect-code", "x", false},
           {"proxy-body-size", "8m", true}, {"proxy-body-size", "8 m", false}, {"proxy-body-size", "1t", false},
           {"proxy-connect-timeout", "10", true}, {"proxy-connect-timeout", "10s", false},
           {"proxy-connect-timeout", "-1", false},
           {"proxy-send-timeout", "0x10", true}, {"proxy-read-timeout", "", true},
           {"proxy-next-upstream", "error timeout http_502", true}, {"proxy-next-upstream", "error bogus", false},
           {"proxy-next-upstream", "", false},
           {"proxy-next-upstream-tries", "5", true}, {"proxy-next-upstream-tries", "many", false},
           {"proxy-next-upstream-timeout", "30", true},
           {"limit-req-status-code", "429", true}, {"limit-req-status-code", "42", false},
           {"limit-conn-status-code", "429", true}, {"limit-conn-status-code", "700", false}}) {
    INFO(k.key << ": " << k.value);
    ControllerConfig c = read({{k.key, k.value}});
    CHECK(c.problems.empty() == k.valid);
    CHECK(c.ignored_keys.empty());
  }
  ControllerConfig c = read({{"ssl-redirect", "false"}, {"http-redirect-code", "301"}, {"proxy-body-size", "8m"},
                             {"proxy-connect-timeout", "10"}, {"proxy-send-timeout", "0x10"},
                             {"proxy-read-timeout", ""}, {"proxy-next-upstream", "error http_502"},
                             {"proxy-next-upstream-tries", "5"}, {"proxy-next-upstream-timeout", "30"},
                             {"limit-req-status-code", "429"}, {"limit-conn-status-code", "430"}});
  CHECK_FALSE(c.defaults.ssl_redirect);
  CHECK(c.defaults.http_redirect_code == 301);
  CHECK(c.defaults.proxy_body_size == 8 * 1024 * 1024);
  CHECK(c.defaults.proxy_connect_timeout_seconds == 10);
  CHECK(c.defaults.proxy_send_timeout_seconds == 16);
  CHECK(c.defaults.proxy_read_timeout_seconds == 0);  // mapstructure: "" is 0
  CHECK(c.defaults.proxy_next_upstream == "error http_502");
  CHECK(c.defaults.proxy_next_upstream_tries == 5);
  CHECK(c.defaults.proxy_next_upstream_timeout_seconds == 30);
  CHECK(c.defaults.limit_req_status_code == 429);
  CHECK(c.defaults.limit_conn_status_code == 430);
}

TEST_CASE("an invalid value keeps ingress-nginx's default", "[configmap]") {
  ControllerConfig c = read({{"http-redirect-code", "303"}, {"proxy-body-size", "huge"}, {"hsts", "maybe"}});
  CHECK(c.defaults.http_redirect_code == 308);
  CHECK(c.defaults.proxy_body_size == 1024 * 1024);
  CHECK(c.proxy.hsts);
  CHECK(c.problems.size() == 3);
  CHECK(has_problem(c, "http-redirect-code: \"303\""));
}

TEST_CASE("global-allowed-response-headers keeps the valid names", "[configmap]") {
  ControllerConfig c = read({{"global-allowed-response-headers", "X-Foo, X_Bar,bad name, X-Baz"}});
  CHECK(c.defaults.global_allowed_response_headers == std::vector<std::string>{"X-Foo", "X_Bar", "X-Baz"});
  CHECK(has_problem(c, "\"bad name\""));
  CHECK(read({{"global-allowed-response-headers", ""}}).defaults.global_allowed_response_headers.empty());
}

TEST_CASE("hsts keys shape the header HTTPS responses carry", "[configmap]") {
  CHECK_FALSE(read({{"hsts", "false"}}).proxy.hsts);
  CHECK_FALSE(read({{"hsts", ""}}).proxy.hsts);  // "" is false
  auto c = read({{"hsts-max-age", "600"}, {"hsts-include-subdomains", "false"}, {"hsts-preload", "true"}});
  CHECK(c.proxy.hsts == HstsPolicy{600, false, true});
  for (const char* bad : {"", "abc", "-1", "0x10", "99999999999"}) {
    INFO(bad);
    auto b = read({{"hsts-max-age", bad}});
    CHECK(b.proxy.hsts == HstsPolicy{});
    CHECK(has_problem(b, "hsts-max-age"));
  }
}

TEST_CASE("forwarded headers and real IP follow the template's conditions", "[configmap]") {
  auto off = read({{"compute-full-forwarded-for", "true"}});
  CHECK_FALSE(off.proxy.client_address.real_ip);
  CHECK_FALSE(off.proxy.client_address.full_forwarded_for);  // needs use-forwarded-headers too

  auto on = read({{"use-forwarded-headers", "true"}, {"compute-full-forwarded-for", "true"},
                  {"forwarded-for-header", "X-Client-IP"}, {"proxy-real-ip-cidr", "10.0.0.0/8, 192.0.2.1,::1"}});
  const ClientAddressSettings& a = on.proxy.client_address;
  CHECK(a.real_ip);
  CHECK(a.use_forwarded_headers);
  CHECK(a.full_forwarded_for);
  CHECK(a.header == "X-Client-IP");
  REQUIRE(a.trusted.size() == 3);
  CHECK(to_string(a.trusted[1]) == "192.0.2.1/32");
  CHECK(to_string(a.trusted[2]) == "::1/128");
  REQUIRE(on.problems.size() == 1);  // what use-forwarded-headers does not do yet
  CHECK(has_problem(on, "X-Forwarded-Host"));

  auto real_ip = read({{"enable-real-ip", "true"}});
  CHECK(real_ip.proxy.client_address.real_ip);
  CHECK_FALSE(real_ip.proxy.client_address.use_forwarded_headers);

  auto bad = read({{"forwarded-for-header", "X Client"}, {"proxy-real-ip-cidr", "10.0.0.0/33,nope,10.1.0.0/16"},
                   {"use-forwarded-headers", "yes"}});
  CHECK(bad.proxy.client_address.header == "X-Forwarded-For");
  REQUIRE(bad.proxy.client_address.trusted.size() == 1);
  CHECK(to_string(bad.proxy.client_address.trusted[0]) == "10.1.0.0/16");
  CHECK(bad.problems.size() == 4);
}

TEST_CASE("block lists: networks, and nginx map patterns compiled by RE2", "[configmap]") {
  auto c = read({{"block-cidrs", "192.0.2.0/24, 2001:db8::/32,10.0.0.1,bad"},
                 {"block-user-agents", "BadBot, ~^curl/, ~*wget,~(?<=x)y"},
                 {"block-referers", "~*spam\\.example"}});
  REQUIRE(c.proxy.block_cidrs.size() == 3);
  CHECK(to_string(c.proxy.block_cidrs[0]) == "192.0.2.0/24");
  CHECK(to_string(c.proxy.block_cidrs[2]) == "10.0.0.1/32");
  REQUIRE(c.proxy.block_user_agents.size() == 3);  // the look-behind is not RE2's
  CHECK(has_problem(c, "~(?<=x)y"));
  CHECK(has_problem(c, "\"bad\""));
  const auto& ua = c.proxy.block_user_agents;
  CHECK(matches_any(ua, "BadBot"));
  CHECK(matches_any(ua, "badbot"));      // nginx map strings ignore case
  CHECK_FALSE(matches_any(ua, "BadBot/2"));  // and match the whole value
  CHECK(matches_any(ua, "curl/8.0"));
  CHECK_FALSE(matches_any(ua, "Curl/8.0"));  // "~" is case-sensitive
  CHECK(matches_any(ua, "x WGET y"));        // "~*" is not; a search, not a full match
  CHECK_FALSE(matches_any(ua, ""));
  CHECK(matches_any(c.proxy.block_referers, "http://SPAM.example/x"));
  CHECK(c.proxy.blocks_anything());
}

TEST_CASE("connection keys are seconds, nginx times for the shutdown", "[configmap]") {
  using std::chrono::milliseconds;
  auto c = read({{"keep-alive", "30"}, {"keep-alive-requests", "50"}, {"client-header-timeout", "20"},
                 {"client-body-timeout", "15"}, {"upstream-keepalive-connections", "0"},
                 {"upstream-keepalive-timeout", "9"}, {"upstream-keepalive-requests", "7"},
                 {"worker-shutdown-timeout", "10s"}});
  CHECK(c.problems.empty());
  CHECK(c.proxy.keepalive_timeout == milliseconds(30'000));
  CHECK(c.proxy.keepalive_requests == 50u);
  CHECK(c.proxy.client_header_timeout == milliseconds(20'000));
  CHECK(c.proxy.client_body_timeout == milliseconds(15'000));
  CHECK(c.proxy.upstream_keepalive_connections == 0u);
  CHECK(c.proxy.upstream_keepalive_timeout == milliseconds(9'000));
  CHECK(c.proxy.upstream_keepalive_requests == 7u);
  CHECK(c.proxy.shutdown_timeout == milliseconds(10'000));
  for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
           {"keep-alive", "-1"}, {"keep-alive", "75s"}, {"keep-alive-requests", "x"},
           {"client-header-timeout", "1.5"}, {"upstream-keepalive-connections", "-3"},
           {"worker-shutdown-timeout", "soon"}, {"worker-shutdown-timeout", ""}}) {
    INFO(key << ": " << value);
    auto b = read({{key, value}});
    CHECK(b.problems.size() == 1);
    CHECK(b.proxy == read({}).proxy);
  }
}

TEST_CASE("add-headers and proxy-set-headers name ConfigMaps whose data become edits", "[configmap]") {
  const std::string maps = config_map("resp", {{"X-Frame-Options", "DENY"}, {"X-Empty", ""}}) +
                           config_map("req", {{"X-Team", "blue"}, {"X-Var", "$host"}, {"bad name", "x"}});
  auto c = read({{"add-headers", "ingress/resp"}, {"proxy-set-headers", "ingress/req"}}, maps);
  CHECK(c.global_headers.response ==
        std::vector<HeaderEdit>{{HeaderEditOp::remove, "X-Empty", ""}, {HeaderEditOp::set, "X-Frame-Options", "DENY"}});
  CHECK(c.global_headers.request ==
        std::vector<HeaderEdit>{{HeaderEditOp::set, "X-Team", "blue"}, {HeaderEditOp::set, "X-Var", "$host"}});
  CHECK(has_problem(c, "\"bad name\""));
  CHECK(has_problem(c, "nginx would expand it"));
  auto missing = read({{"add-headers", "ingress/nope"}, {"proxy-set-headers", "no-slash"}});
  CHECK(missing.global_headers.empty());
  CHECK(missing.problems.size() == 2);
}

TEST_CASE("snippets stay off and unknown keys are handed back", "[configmap]") {
  auto c = read({{"allow-snippet-annotations", "true"}, {"use-gzip", "true"}, {"no-such-key", "1"}});
  CHECK(has_problem(c, "allow-snippet-annotations"));
  CHECK(c.ignored_keys == std::vector<std::string>{"no-such-key", "use-gzip"});
  CHECK(read({{"allow-snippet-annotations", "false"}}).problems.empty());
}

}  // namespace
}  // namespace sluice::controller
