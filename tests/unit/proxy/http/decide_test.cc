// decide(): the request phases as a table, request and snapshot in, verdict
// out, the way translator tests run (no sockets, no worker).
#include <catch2/catch.hpp>

#include "proxy/http/decide.h"

using namespace sluice;

namespace {

Endpoint endpoint(const char* name) {
  Endpoint e;
  e.name = name;
  return e;
}

// shop.test: / -> shop (one endpoint), ssl-redirect; empty.test: / -> empty
// (no endpoint); ext.test: / -> an ExternalName; plain.test: / -> shop;
// denied.test: / -> shop, denied by an invalid annotation (and ssl-redirect).
std::shared_ptr<const RouteTable> snapshot() {
  RouteTableBuilder b;
  Backend shop{.name = "ns/shop:80"};
  shop.endpoints.push_back(endpoint("10.0.0.1:80"));
  const auto shop_index = b.add_backend(shop);
  const auto empty_index = b.add_backend(Backend{.name = "ns/empty:80"});
  const auto ext_index = b.add_backend(Backend{.name = "ns/ext:80", .external_name = "example.invalid",
                                               .external_port = 80});
  const auto redirect = b.add_policy({.ssl_redirect = true});
  b.add_route({.host = "shop.test", .path = "/", .backend = shop_index, .policy = redirect});
  b.add_route({.host = "empty.test", .path = "/", .backend = empty_index});
  b.add_route({.host = "ext.test", .path = "/", .backend = ext_index});
  b.add_route({.host = "plain.test", .path = "/", .backend = shop_index});
  b.add_route({.host = "denied.test", .path = "/", .backend = shop_index,
               .policy = b.add_policy({.denied = true, .ssl_redirect = true})});
  return std::move(b).build(1);
}

struct Row {
  const char* name;
  RequestView request;
  bool tls;
  bool with_snapshot;
  VerdictKind kind;
  Phase phase;
  ProxyError error;            // respond
  const char* detail;          // respond
  bool close;                  // respond
  const char* redirect_host;   // redirect
  const char* backend;         // continue_
};

RequestView get(std::string_view host, std::string_view target) {
  return {.method = Method::get, .target = target, .host = host};
}

}  // namespace

TEST_CASE("decide() answers each request as the phases say", "[decide]") {
  const auto table = snapshot();
  RequestView connect = get("shop.test:443", "shop.test:443");
  connect.method = Method::connect;
  RequestView bad = get("shop.test", "nope");
  bad.bad_target = "request target is neither origin-form nor absolute-form";
  const Row rows[] = {
      {"CONNECT is refused before routing, and closes", connect, false, true, VerdictKind::respond,
       Phase::request_headers, ProxyError::bad_request, "CONNECT is not supported", true, nullptr, nullptr},
      {"a target the codec could not read is a 400 that closes", bad, false, true, VerdictKind::respond,
       Phase::request_headers, ProxyError::bad_request, bad.bad_target, true, nullptr, nullptr},
      {"no snapshot yet is a 503", get("shop.test", "/"), false, false, VerdictKind::respond, Phase::route,
       ProxyError::no_snapshot, "", false, nullptr, nullptr},
      {"no rule for the host is a 404", get("other.test", "/"), false, true, VerdictKind::respond, Phase::route,
       ProxyError::no_route, "", false, nullptr, nullptr},
      {"ssl-redirect sends plain HTTP to https, keeping host and target", get("shop.test:8080", "/a?b=1"), false,
       true, VerdictKind::redirect, Phase::rewrite, ProxyError::none, "", false, "shop.test", nullptr},
      {"ssl-redirect leaves HTTPS alone", get("shop.test", "/a"), true, true, VerdictKind::continue_,
       Phase::upstream_request, ProxyError::none, "", false, nullptr, "ns/shop:80"},
      {"a route without the policy is forwarded over plain HTTP", get("plain.test", "/"), false, true,
       VerdictKind::continue_, Phase::upstream_request, ProxyError::none, "", false, nullptr, "ns/shop:80"},
      {"a denied location is a 503 in the access phase, before any redirect", get("denied.test", "/"), false,
       true, VerdictKind::respond, Phase::access, ProxyError::location_denied, "", false, nullptr, nullptr},
      {"a backend with no ready endpoint is a 503 naming it", get("empty.test", "/"), false, true,
       VerdictKind::respond, Phase::upstream_request, ProxyError::no_endpoints, "ns/empty:80", false, nullptr,
       nullptr},
      {"an ExternalName has no endpoints and is still forwarded", get("ext.test", "/x"), false, true,
       VerdictKind::continue_, Phase::upstream_request, ProxyError::none, "", false, nullptr, "ns/ext:80"},
  };
  for (const Row& row : rows) {
    SECTION(row.name) {
      const Decision d = decide(row.request, row.with_snapshot ? table.get() : nullptr,
                                ConnectionFacts{row.tls, "192.0.2.1"});
      CHECK(d.verdict.kind == row.kind);
      CHECK(phase_name(d.verdict.phase) == phase_name(row.phase));
      if (row.kind == VerdictKind::respond) {
        CHECK(d.verdict.reply.error == row.error);
        CHECK(d.verdict.reply.detail == row.detail);
        CHECK(d.verdict.reply.close == row.close);
      }
      if (row.kind == VerdictKind::redirect) {
        CHECK(d.verdict.redirect.status == 308);
        CHECK(d.verdict.redirect.scheme == "https");
        CHECK(d.verdict.redirect.host == row.redirect_host);
        CHECK(d.verdict.redirect.target == row.request.target);
      }
      if (row.kind == VerdictKind::continue_) {
        REQUIRE(d.match.backend);
        CHECK(d.match.backend->name == row.backend);
        REQUIRE(d.policy);
      }
    }
  }
}

TEST_CASE("equal policies are stored once per snapshot", "[decide][policy]") {
  RouteTableBuilder b;
  const auto backend = b.add_backend(Backend{.name = "ns/a:80"});
  CHECK(b.add_policy({}) == 0);  // the empty policy is always index 0
  const auto redirect = b.add_policy({.ssl_redirect = true});
  CHECK(b.add_policy({.ssl_redirect = true}) == redirect);
  RoutePolicy edited{.headers = {.response = {{HeaderEditOp::set, "X-Frame-Options", "DENY"}}}};
  const auto with_edit = b.add_policy(edited);
  CHECK(with_edit != redirect);
  edited.headers.response[0].value = "SAMEORIGIN";
  CHECK(b.add_policy(edited) != with_edit);
  // The text key spells lengths out, so a separator inside a name or value
  // cannot make two policies print alike.
  // Without the lengths both would read "a,b,c".
  const RoutePolicy split_one{.headers = {.request = {{HeaderEditOp::set, "a", "b,c"}}}};
  const RoutePolicy split_two{.headers = {.request = {{HeaderEditOp::set, "a,b", "c"}}}};
  CHECK(b.add_policy(split_one) != b.add_policy(split_two));
  b.add_route({.host = "a.test", .path = "/", .backend = backend, .policy = redirect});
  b.add_route({.host = "b.test", .path = "/", .backend = backend, .policy = redirect});
  const auto table = std::move(b).build(1);
  CHECK(table->policies().size() == 6);
  CHECK(table->routes()[0].policy == table->routes()[1].policy);
  CHECK(table->policy(table->routes()[0]).ssl_redirect);
}
