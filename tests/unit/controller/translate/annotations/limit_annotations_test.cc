// The limits group: proxy-body-size, proxy-*-timeout, proxy-next-upstream*,
// limit-*: annotations in, typed policy or issue out, every invalid form
// with what ingress-nginx v1.15.1 does with it (annotations/proxy falls back
// to the default; annotations/ratelimit rejects the Ingress).
#include <catch2/catch.hpp>

#include "controller/translate/annotations/annotation_catalog.h"
#include "controller/translate/annotations/ingress_annotations.h"
#include "controller/translate/annotations/limit_values.h"

using namespace sluice;
using namespace sluice::controller;
using std::chrono::seconds;

namespace {

struct Reading {
  IngressAnnotations out;
  bool has(std::string_view key, IssueKind kind, IssueEffect effect) const {
    for (const auto& i : out.issues)
      if (i.key == key && i.kind == kind && i.effect == effect) return true;
    return false;
  }
};

Reading read(std::initializer_list<std::pair<const char*, const char*>> kv, ControllerDefaults defaults = {}) {
  k8s::Ingress ing;
  ing.meta.ns = "shop";
  ing.meta.name = "web";
  ing.meta.uid = "u-1";
  for (auto [k, v] : kv) ing.meta.annotations[std::string(nginx_annotation_prefix) + k] = v;
  ObjectStore store;
  TranslatorOptions options;
  return {read_annotations(ing, AnnotationContext{store, options, defaults})};
}

}  // namespace

TEST_CASE("proxy-body-size is nginx's size, 1m by default, 0 for none; invalid keeps the default",
          "[annotations][limits]") {
  struct Case {
    const char* value;
    std::uint64_t expected;
    bool issue;
  };
  const Case cases[] = {{"8k", 8192, false}, {"10m", 10485760, false}, {"1G", 1073741824, false},
                        {"0", 0, false},     {"123", 123, false},      {" 2m ", 2097152, false},
                        {"1.5m", 1048576, true}, {"1mb", 1048576, true}, {"-1", 1048576, true},
                        {"1 m", 1048576, true},  {"", 1048576, true},    {"10b", 1048576, true}};
  for (const auto& c : cases) {
    INFO('"' << c.value << '"');
    auto r = read({{"proxy-body-size", c.value}});
    CHECK(r.out.policy.max_body_bytes == c.expected);
    CHECK(r.has("proxy-body-size", IssueKind::invalid, IssueEffect::ignored) == c.issue);
    CHECK_FALSE(r.out.rejected());
  }
  CHECK(read({}).out.policy.max_body_bytes == 1048576u);
  ControllerDefaults d;
  d.proxy_body_size = 0;
  CHECK(read({}, d).out.policy.max_body_bytes == 0u);
}

TEST_CASE("timeouts are Atoi seconds; invalid or below 1 keeps the ConfigMap's default", "[annotations][limits]") {
  auto r = read({{"proxy-connect-timeout", "2"}, {"proxy-send-timeout", "+7"}, {"proxy-read-timeout", "120"}});
  REQUIRE(r.out.policy.upstream);
  CHECK(r.out.policy.upstream->connect_timeout == seconds(2));
  CHECK(r.out.policy.upstream->send_timeout == seconds(7));
  CHECK(r.out.policy.upstream->read_timeout == seconds(120));
  CHECK(r.out.issues.empty());

  const char* invalid[] = {"5s", "1.5", "", "0", "-3", "0x10", "99999999999"};
  for (const char* v : invalid) {
    INFO('"' << v << '"');
    ControllerDefaults d;
    d.proxy_read_timeout_seconds = 30;
    auto bad = read({{"proxy-read-timeout", v}}, d);
    REQUIRE(bad.out.policy.upstream);  // the ConfigMap's 30 differs from the listener's default
    CHECK(bad.out.policy.upstream->read_timeout == seconds(30));
    CHECK(bad.has("proxy-read-timeout", IssueKind::invalid, IssueEffect::ignored));
  }
}

TEST_CASE("a route with no upstream annotation and default ConfigMap keeps the listener's flags",
          "[annotations][limits]") {
  CHECK_FALSE(read({}).out.policy.upstream);
  CHECK_FALSE(read({{"proxy-read-timeout", "60"}}).out.policy.upstream);  // the default, said again
  ControllerDefaults d;
  d.proxy_next_upstream_tries = 5;
  auto r = read({}, d);
  REQUIRE(r.out.policy.upstream);
  CHECK(r.out.policy.upstream->next_upstream_tries == 5u);
}

TEST_CASE("proxy-next-upstream is ingress-nginx's validator and nginx's words", "[annotations][limits]") {
  struct Case {
    const char* text;
    std::optional<std::uint16_t> bits;
  };
  const Case cases[] = {
      {"error timeout", next_on_error | next_on_timeout},
      {"error", next_on_error},
      {"timeout http_502 http_503", next_on_timeout | next_on_http_502 | next_on_http_503},
      {"error timeout non_idempotent", next_on_error | next_on_timeout | next_on_non_idempotent},
      {"http_500 http_504 http_403 http_404 http_429 invalid_header",
       next_on_http_500 | next_on_http_504 | next_on_http_403 | next_on_http_404 | next_on_http_429 |
           next_on_invalid_header},
      {"off", 0},
      {"error off", 0},  // nginx: off anywhere turns it off
      {"error ", next_on_error},
      {"", {}},
      {"error  timeout", {}},  // \s? allows one space only
      {"errortimeout", {}},    // passes the regex, not nginx
      {"error\ttimeout", {}},  // passes the regex; buildNextUpstream splits on ' ' only
      {"http_501", {}},
      {"Error", {}},
      {"error;timeout", {}},
  };
  for (const auto& c : cases) {
    INFO('"' << c.text << '"');
    CHECK(parse_next_upstream(c.text) == c.bits);
  }
  auto r = read({{"proxy-next-upstream", "error timeout http_502"},
                 {"proxy-next-upstream-tries", "5"},
                 {"proxy-next-upstream-timeout", "10"}});
  REQUIRE(r.out.policy.upstream);
  CHECK(r.out.policy.upstream->next_upstream == (next_on_error | next_on_timeout | next_on_http_502));
  CHECK(r.out.policy.upstream->next_upstream_tries == 5u);
  CHECK(r.out.policy.upstream->next_upstream_timeout == seconds(10));
  CHECK(r.has("proxy-next-upstream", IssueKind::differs, IssueEffect::ignored));  // http_502 not acted on

  auto bad = read({{"proxy-next-upstream", "sometimes"}, {"proxy-next-upstream-tries", "-1"},
                   {"proxy-next-upstream-timeout", "x"}});
  CHECK(bad.has("proxy-next-upstream", IssueKind::invalid, IssueEffect::ignored));
  CHECK(bad.has("proxy-next-upstream-tries", IssueKind::invalid, IssueEffect::ignored));
  CHECK(bad.has("proxy-next-upstream-timeout", IssueKind::invalid, IssueEffect::ignored));
  CHECK_FALSE(bad.out.policy.upstream);  // every value fell back to the default
  CHECK(read({{"proxy-next-upstream-tries", "0"}}).out.policy.upstream->next_upstream_tries == 0u);
}

TEST_CASE("Go's Atoi: a sign, digits, 64 bits", "[annotations][limits]") {
  CHECK(parse_go_int("10") == 10);
  CHECK(parse_go_int("+10") == 10);
  CHECK(parse_go_int("-10") == -10);
  CHECK(parse_go_int("007") == 7);
  CHECK(parse_go_int("9223372036854775807") == INT64_MAX);
  CHECK(parse_go_int("-9223372036854775808") == INT64_MIN);
  CHECK(parse_go_int("9223372036854775808") == std::nullopt);
  for (const char* bad : {"", "+", "-", " 1", "1 ", "1e3", "0x1", "1_000", "+-1"}) {
    INFO('"' << bad << '"');
    CHECK(parse_go_int(bad) == std::nullopt);
  }
}

TEST_CASE("limit-rps, limit-rpm and limit-connections become one zone per Ingress", "[annotations][limits]") {
  auto r = read({{"limit-rps", "5"}, {"limit-rpm", "300"}, {"limit-connections", "2"}});
  REQUIRE(r.out.policy.rate_limit);
  const RateLimitPolicy& rl = *r.out.policy.rate_limit;
  CHECK(rl.rps == 5u);
  CHECK(rl.rps_burst == 25u);  // × the default multiplier 5
  CHECK(rl.rpm == 300u);
  CHECK(rl.rpm_burst == 1500u);
  CHECK(rl.connections == 2u);
  CHECK(rl.request_status == 503);
  CHECK(rl.zone == zone_id("shop", "web", "u-1"));
  CHECK(rl.zone != zone_id("shop", "web2", "u-1"));
  CHECK(zone_id("a", "bc", "") != zone_id("ab", "c", ""));
  CHECK(r.out.issues.empty());

  auto m = read({{"limit-rps", "3"}, {"limit-burst-multiplier", "2"}});
  CHECK(m.out.policy.rate_limit->rps_burst == 6u);
  CHECK(read({{"limit-rps", "3"}, {"limit-burst-multiplier", "0"}}).out.policy.rate_limit->rps_burst == 0u);
  auto nm = read({{"limit-rps", "3"}, {"limit-burst-multiplier", "two"}});
  CHECK(nm.out.policy.rate_limit->rps_burst == 15u);
  CHECK(nm.has("limit-burst-multiplier", IssueKind::invalid, IssueEffect::ignored));
  auto neg = read({{"limit-rps", "3"}, {"limit-burst-multiplier", "-1"}});
  CHECK(neg.out.policy.rate_limit->rps_burst == 15u);
  CHECK(neg.has("limit-burst-multiplier", IssueKind::differs, IssueEffect::ignored));

  ControllerDefaults d;
  d.limit_req_status_code = 429;
  CHECK(read({{"limit-rps", "1"}}, d).out.policy.rate_limit->request_status == 429);
  d.limit_req_status_code = 418;
  CHECK(read({{"limit-rps", "1"}}, d).has("limit-rps", IssueKind::differs, IssueEffect::ignored));
}

TEST_CASE("no limit above zero sets none; a limit that is not an integer rejects the Ingress",
          "[annotations][limits]") {
  CHECK_FALSE(read({}).out.policy.rate_limit);
  CHECK_FALSE(read({{"limit-rps", "0"}}).out.policy.rate_limit);
  CHECK_FALSE(read({{"limit-rps", "-4"}, {"limit-rpm", "0"}}).out.policy.rate_limit);
  CHECK_FALSE(read({{"limit-burst-multiplier", "3"}, {"limit-allowlist", "10.0.0.0/8"}}).out.policy.rate_limit);
  auto neg = read({{"limit-rps", "-4"}, {"limit-connections", "1"}});
  REQUIRE(neg.out.policy.rate_limit);
  CHECK(neg.out.policy.rate_limit->rps == 0u);
  CHECK(neg.out.policy.rate_limit->connections == 1u);

  for (const char* key : {"limit-rps", "limit-rpm", "limit-connections"}) {
    for (const char* v : {"ten", "1.5", "5r/s", "0x5"}) {
      INFO(key << " = \"" << v << '"');
      auto r = read({{key, v}});
      CHECK(r.out.rejected());
      CHECK(r.has(key, IssueKind::invalid, IssueEffect::ingress_rejected));
      CHECK_FALSE(r.out.policy.rate_limit);
    }
  }
  auto empty = read({{"limit-rps", ""}});  // not validated; Atoi fails without a validation error
  CHECK_FALSE(empty.out.rejected());
  CHECK_FALSE(empty.out.policy.rate_limit);
}

TEST_CASE("limit-allowlist (or limit-whitelist) is Go's CIDR list; a bad one rejects the Ingress",
          "[annotations][limits]") {
  auto r = read({{"limit-rps", "1"}, {"limit-allowlist", "10.0.0.0/8, 192.168.1.7,2001:db8::/32"}});
  REQUIRE(r.out.policy.rate_limit);
  const auto& allow = r.out.policy.rate_limit->allowlist;
  REQUIRE(allow.size() == 3);
  CHECK(allow[0].prefix_bits == 96 + 8);
  CHECK(allow[0].address[10] == 0xff);
  CHECK(allow[0].address[12] == 10);
  CHECK(allow[1].prefix_bits == 128);
  CHECK(allow[1].address[15] == 7);
  CHECK(allow[2].prefix_bits == 32);
  CHECK(allow[2].address[0] == 0x20);

  auto alias = read({{"limit-rps", "1"}, {"limit-whitelist", "127.0.0.1"}});
  CHECK(alias.out.policy.rate_limit->allowlist.size() == 1);
  auto both = read({{"limit-rps", "1"}, {"limit-allowlist", "10.1.2.3"}, {"limit-whitelist", "not an ip"}});
  CHECK_FALSE(both.out.rejected());  // the alias is read only when the key is absent or empty
  CHECK(both.out.issues.empty());

  auto host_bits = parse_cidr("10.1.2.3/8");  // ParseCIDR returns the network
  REQUIRE(host_bits);
  CHECK(host_bits->address[13] == 0);
  CHECK(host_bits->address[12] == 10);

  for (const char* v : {"10.0.0.0/33", "10.0.0.256", "10.0.0.0/", "10.0.0.0/08", "example.com", "10.0.0.1,",
                        "::1/129", "010.0.0.1", "10.0.0.0/-1"}) {
    INFO('"' << v << '"');
    auto bad = read({{"limit-rps", "1"}, {"limit-allowlist", v}});
    CHECK(bad.out.rejected());
    CHECK(bad.has("limit-allowlist", IssueKind::invalid, IssueEffect::ingress_rejected));
  }
  auto bad_alias = read({{"limit-rps", "1"}, {"limit-whitelist", "nope"}});
  CHECK(bad_alias.has("limit-whitelist", IssueKind::invalid, IssueEffect::ingress_rejected));
}

TEST_CASE("the limits group's keys are catalogued as supported", "[annotations][limits]") {
  for (const char* key : {"proxy-body-size", "proxy-connect-timeout", "proxy-send-timeout", "proxy-read-timeout",
                          "proxy-next-upstream", "proxy-next-upstream-tries", "proxy-next-upstream-timeout",
                          "limit-rps", "limit-rpm", "limit-connections", "limit-burst-multiplier",
                          "limit-allowlist", "limit-whitelist"}) {
    INFO(key);
    const CatalogEntry* e = find_in_catalog(key);
    REQUIRE(e);
    CHECK(e->support == Support::supported);
  }
}
