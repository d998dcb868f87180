// block-cidrs, block-user-agents, block-referers through decide(): which
// requests get the 403, and in which phase (block_list.h says why).
#include <re2/re2.h>

#include <catch2/catch.hpp>

#include "proxy/http/decide.h"

using namespace sluice;

namespace {

ValuePattern plain(std::string text) { return {std::move(text), nullptr}; }
ValuePattern regex(std::string text, bool nocase) {
  RE2::Options o;
  o.set_case_sensitive(!nocase);
  auto re = std::make_shared<const RE2>(text.substr(nocase ? 2 : 1), o);
  return {std::move(text), std::move(re)};
}

// shop.test: / -> shop; tls.test: / -> shop with ssl-redirect.
std::shared_ptr<const RouteTable> snapshot(ProxySettings settings) {
  RouteTableBuilder b;
  Backend shop{.name = "ns/shop:80"};
  Endpoint endpoint;
  endpoint.name = "10.0.0.1:80";
  shop.endpoints.push_back(endpoint);
  const auto backend = b.add_backend(shop);
  b.add_route({.host = "shop.test", .path = "/", .backend = backend});
  b.add_route({.host = "tls.test", .path = "/", .backend = backend, .policy = b.add_policy({.ssl_redirect = true})});
  b.set_settings(std::move(settings));
  return std::move(b).build(1);
}

ProxySettings blocking() {
  ProxySettings s;
  s.from_configmap = true;
  s.block_cidrs = {*parse_ip_network("192.0.2.0/24"), *parse_ip_network("2001:db8::/32")};
  s.block_user_agents = {plain("BadBot"), regex("~^curl/", false), regex("~*wget", true)};
  s.block_referers = {regex("~*spam\\.example", true)};
  return s;
}

struct Row {
  const char* name;
  const char* host;
  const char* client;
  const char* user_agent;  // null: no field
  const char* referer;
  VerdictKind kind;
  Phase phase;
  ProxyError error;
};

}  // namespace

TEST_CASE("block lists answer 403 where ingress-nginx's template checks them", "[decide][block]") {
  const auto table = snapshot(blocking());
  const Row rows[] = {
      {"an unlisted client is forwarded", "shop.test", "198.51.100.7", "Mozilla/5.0", nullptr,
       VerdictKind::continue_, Phase::upstream_request, ProxyError::none},
      {"a client in block-cidrs is refused in the access phase", "shop.test", "192.0.2.9", nullptr, nullptr,
       VerdictKind::respond, Phase::access, ProxyError::blocked},
      {"an IPv6 client in block-cidrs is refused", "shop.test", "2001:db8::5", nullptr, nullptr,
       VerdictKind::respond, Phase::access, ProxyError::blocked},
      {"an IPv4-mapped IPv6 peer counts as its IPv4 address", "shop.test", "::ffff:192.0.2.1", nullptr, nullptr,
       VerdictKind::respond, Phase::access, ProxyError::blocked},
      {"a blocked client asking for an unknown host gets 403, not 404", "nobody.test", "192.0.2.9", nullptr,
       nullptr, VerdictKind::respond, Phase::access, ProxyError::blocked},
      {"an unblocked client asking for an unknown host gets 404", "nobody.test", "198.51.100.7", nullptr, nullptr,
       VerdictKind::respond, Phase::route, ProxyError::no_route},
      {"ssl-redirect comes first: nginx's rewrite phase runs before access", "tls.test", "192.0.2.9", nullptr,
       nullptr, VerdictKind::redirect, Phase::rewrite, ProxyError::none},
      {"a plain user agent matches its whole value without case", "shop.test", "198.51.100.7", "badbot", nullptr,
       VerdictKind::respond, Phase::request_headers, ProxyError::blocked},
      {"a plain user agent does not match a longer value", "shop.test", "198.51.100.7", "BadBot/2", nullptr,
       VerdictKind::continue_, Phase::upstream_request, ProxyError::none},
      {"a ~ regex is a case-sensitive search", "shop.test", "198.51.100.7", "curl/8.5", nullptr,
       VerdictKind::respond, Phase::request_headers, ProxyError::blocked},
      {"a ~ regex does not match another case", "shop.test", "198.51.100.7", "Curl/8.5", nullptr,
       VerdictKind::continue_, Phase::upstream_request, ProxyError::none},
      {"a ~* regex ignores case", "shop.test", "198.51.100.7", "GNU WGET", nullptr, VerdictKind::respond,
       Phase::request_headers, ProxyError::blocked},
      {"user agents are checked before routing: an unknown host gets 403", "nobody.test", "198.51.100.7",
       "BadBot", nullptr, VerdictKind::respond, Phase::request_headers, ProxyError::blocked},
      {"a blocked referer is refused", "shop.test", "198.51.100.7", nullptr, "https://www.SPAM.example/",
       VerdictKind::respond, Phase::request_headers, ProxyError::blocked},
      {"a user agent block comes before an ssl-redirect", "tls.test", "198.51.100.7", "BadBot", nullptr,
       VerdictKind::respond, Phase::request_headers, ProxyError::blocked},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    HeaderList headers;
    if (row.user_agent) headers.add("User-Agent", row.user_agent);
    if (row.referer) headers.add("Referer", row.referer);
    RequestView request{.method = Method::get, .target = "/", .host = row.host, .headers = &headers};
    Decision d = decide(request, table.get(), ConnectionFacts{false, row.client});
    CHECK(d.verdict.kind == row.kind);
    CHECK(d.verdict.phase == row.phase);
    CHECK(d.verdict.reply.error == row.error);
  }
}

TEST_CASE("without block lists nothing is refused, whatever the client", "[decide][block]") {
  ProxySettings none;
  none.from_configmap = true;
  const auto table = snapshot(none);
  HeaderList headers;
  headers.add("User-Agent", "BadBot");
  RequestView request{.method = Method::get, .target = "/", .host = "shop.test", .headers = &headers};
  Decision d = decide(request, table.get(), ConnectionFacts{false, "192.0.2.9"});
  CHECK(d.verdict.kind == VerdictKind::continue_);
}

TEST_CASE("a block never needs the request's fields to exist", "[decide][block]") {
  const auto table = snapshot(blocking());
  RequestView request{.method = Method::get, .target = "/", .host = "shop.test"};  // no header list at all
  CHECK(decide(request, table.get(), ConnectionFacts{false, "198.51.100.7"}).verdict.kind == VerdictKind::continue_);
  CHECK(decide(request, table.get(), ConnectionFacts{false, "not an address"}).verdict.kind ==
        VerdictKind::continue_);
}
