// RouteTable::content_hash: equal content, equal hash (whatever the
// generation or the order things were added in); any change to what is
// served changes it.
#include <catch2/catch.hpp>

#include <functional>

#include "tests/unit/backend_fixture.h"
#include "tests/unit/tls_material_for_test.h"

#include "common/model/route_table.h"

using namespace sluice;

namespace {

Endpoint endpoint(const char* ip, unsigned short port) {
  Endpoint e;
  e.address = {boost::asio::ip::make_address(ip), port};
  e.name = std::string(ip) + ":" + std::to_string(port);
  return e;
}

// What one test table holds; each field is something a change can touch.
struct Content {
  std::string host = "a.example.com";
  std::string path = "/app";
  PathMatch match = PathMatch::prefix;
  std::string ingress = "web";
  std::vector<Endpoint> endpoints{endpoint("10.0.0.1", 8080), endpoint("10.0.0.2", 8080)};
  std::vector<Endpoint> not_ready;
  RoutePolicy policy;
  bool with_default = true;
  std::string external_name;
};

std::shared_ptr<const TlsCertificate> certificate(const test::PemPair& pem, const std::string& name) {
  std::string error;
  auto cert = make_certificate(name, pem.chain, pem.key, error);
  INFO(error);
  REQUIRE(cert);
  return cert;
}

std::shared_ptr<const RouteTable> build(const Content& c, std::uint64_t generation = 1,
                                        bool reversed = false,
                                        const std::function<void(RouteTableBuilder&)>& more = {}) {
  RouteTableBuilder b;
  Backend web = test::service_backend_for_test("ns", "web", "80");
  web.endpoints = c.endpoints;
  web.not_ready = c.not_ready;
  web.external_name = c.external_name;
  Backend other = test::service_backend_for_test("ns", "other", "80");
  other.endpoints = {endpoint("10.0.1.1", 80)};
  std::uint32_t w = 0, o = 0;
  if (reversed) {
    o = b.add_backend(std::move(other));
    w = b.add_backend(std::move(web));
  } else {
    w = b.add_backend(std::move(web));
    o = b.add_backend(std::move(other));
  }
  const auto p = b.add_policy(c.policy);
  Route first{.host = c.host, .path = c.path, .match = c.match, .backend = w, .ingress_namespace = "ns",
              .ingress_name = c.ingress, .policy = p};
  Route second{.host = "b.example.com", .path = "/", .backend = o, .ingress_namespace = "ns", .ingress_name = "other"};
  if (reversed) std::swap(first, second);
  b.add_route(first);
  b.add_route(second);
  if (c.with_default)
    b.set_default({.host = "", .backend = o, .ingress_namespace = "ns", .ingress_name = "defaults"});
  if (more) more(b);
  return std::move(b).build(generation);
}

}  // namespace

TEST_CASE("two tables of the same content have the same hash", "[router][hash]") {
  const Content c;
  const auto a = build(c, 1);
  CHECK(a->content_hash() != 0);
  CHECK(build(c, 1)->content_hash() == a->content_hash());
  // The generation is not content: a re-translation that changed nothing.
  CHECK(build(c, 7)->content_hash() == a->content_hash());
  // Neither is the order the translator added backends and routes in.
  CHECK(build(c, 1, true)->content_hash() == a->content_hash());
  // Nor an endpoint that is not ready: it is listed by /debug, never routed to.
  Content not_ready = c;
  not_ready.not_ready.push_back(endpoint("10.0.0.9", 8080));
  CHECK(build(not_ready)->content_hash() == a->content_hash());
  // Nor two equal policies built apart.
  Content redirect = c;
  redirect.policy.ssl_redirect = true;
  CHECK(build(redirect, 1)->content_hash() == build(redirect, 2, true)->content_hash());
}

TEST_CASE("any change to what a table serves changes its hash", "[router][hash]") {
  const auto base = build(Content{})->content_hash();
  struct Case {
    const char* name;
    std::function<void(Content&)> change;
  };
  const Case cases[] = {
      {"host", [](Content& c) { c.host = "c.example.com"; }},
      {"path", [](Content& c) { c.path = "/app2"; }},
      {"path match", [](Content& c) { c.match = PathMatch::exact; }},
      {"ingress name", [](Content& c) { c.ingress = "web2"; }},
      {"an endpoint's port", [](Content& c) { c.endpoints[1] = endpoint("10.0.0.2", 8081); }},
      {"an endpoint gone", [](Content& c) { c.endpoints.pop_back(); }},
      {"endpoint moved to not ready", [](Content& c) {
         c.not_ready.push_back(c.endpoints.back());
         c.endpoints.pop_back();
       }},
      {"external name", [](Content& c) { c.external_name = "db.example.net"; }},
      {"no default backend", [](Content& c) { c.with_default = false; }},
      {"policy: ssl-redirect", [](Content& c) { c.policy.ssl_redirect = true; }},
      {"policy: denied", [](Content& c) { c.policy.denied = true; }},
      {"policy: a response header", [](Content& c) {
         c.policy.headers.response.push_back({.name = "X-A", .value = "1"});
       }},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    Content changed;
    c.change(changed);
    CHECK(build(changed)->content_hash() != base);
  }
  // Length prefixes: moving bytes between two fields is a change too.
  Content a, b;
  a.host = "ab.example.com";
  a.path = "/x";
  b.host = "ab.example.co";
  b.path = "/mx";
  CHECK(build(a)->content_hash() != build(b)->content_hash());
}

TEST_CASE("certificates are content: a host's certificate, its renewal, the default", "[router][hash][tls]") {
  const auto first = test::make_pem_for_test({"a.example.com"});
  const auto renewed = test::make_pem_for_test({"a.example.com"});
  const auto with = [&](const test::PemPair& pem, std::string host) {
    return [&pem, host](RouteTableBuilder& b) { b.add_certificate(host, certificate(pem, "ns/a-tls")); };
  };
  const auto none = build(Content{})->content_hash();
  const auto a = build(Content{}, 1, false, with(first, "a.example.com"))->content_hash();
  CHECK(a != none);
  // The same Secret read again (a new object, the same bytes) changes nothing.
  CHECK(build(Content{}, 2, false, with(first, "a.example.com"))->content_hash() == a);
  // A renewed certificate in the same Secret does.
  CHECK(build(Content{}, 1, false, with(renewed, "a.example.com"))->content_hash() != a);
  // So does the host it serves.
  CHECK(build(Content{}, 1, false, with(first, "*.example.com"))->content_hash() != a);
  const auto as_default = build(Content{}, 1, false, [&](RouteTableBuilder& b) {
    b.set_default_certificate(certificate(first, "ns/a-tls"));
  })->content_hash();
  CHECK(as_default != none);
  CHECK(as_default != a);
}
