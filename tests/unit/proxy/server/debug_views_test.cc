// The /debug JSON views over a small snapshot.
#include <catch2/catch.hpp>

#include "tests/unit/backend_fixture.h"

#include "proxy/server/debug_views.h"

using namespace sluice;

namespace {

std::shared_ptr<const RouteTable> table() {
  RouteTableBuilder b;
  Backend dev = test::service_backend_for_test("default", "dev", "80");
  dev.endpoints.push_back({{boost::asio::ip::make_address("127.0.0.1"), 9001}, "127.0.0.1:9001"});
  dev.not_ready.push_back({{boost::asio::ip::make_address("127.0.0.2"), 9001}, "127.0.0.2:9001"});
  test::add_dev_route_for_test(b, dev);
  auto e = b.add_backend(test::service_backend_for_test("default", "empty", "80"));
  b.add_route({.host = "*.example.com", .path = "/", .match = PathMatch::prefix, .backend = e,
               .ingress_namespace = "web", .ingress_name = "wild"});
  return std::move(b).build(7);
}

}  // namespace

TEST_CASE("query values are found by name and percent-decoded", "[admin]") {
  std::string v;
  CHECK(query_value("host=a.example.com&path=%2Fx%20y+z", "path", v));
  CHECK(v == "/x y z");
  CHECK(query_value("host=a.example.com&path=%2Fx", "host", v));
  CHECK(v == "a.example.com");
  CHECK_FALSE(query_value("hostx=1", "host", v));
  CHECK(query_value("path=%zz%2", "path", v));
  CHECK(v == "%zz%2");  // malformed escapes are kept as they are
}

TEST_CASE("/debug/ingresses lists every rule with its backend columns", "[admin]") {
  auto t = table();
  CHECK(debug_ingresses_json(t.get()) ==
        "{\"generation\":7,\"rules\":["
        "{\"namespace\":\"default\",\"ingress\":\"tkng-1\",\"host\":\"\",\"path\":\"/dev\",\"pathType\":\"Prefix\","
        "\"service\":\"dev\",\"port\":\"80\",\"backend\":\"default/dev:80\",\"tls\":false,\"sslRedirect\":false,"
        "\"endpoints\":1,\"external\":false},"
        "{\"namespace\":\"web\",\"ingress\":\"wild\",\"host\":\"*.example.com\",\"path\":\"/\",\"pathType\":\"Prefix\","
        "\"service\":\"empty\",\"port\":\"80\",\"backend\":\"default/empty:80\",\"tls\":false,\"sslRedirect\":false,"
        "\"endpoints\":0,\"external\":false}]}");
  CHECK(debug_ingresses_json(nullptr) == "{\"generation\":0,\"rules\":[]}");
}

TEST_CASE("/debug/backends shows ready and not-ready endpoints", "[admin]") {
  auto t = table();
  CHECK(debug_backends_json(t.get()) ==
        "{\"generation\":7,\"backends\":["
        "{\"name\":\"default/dev:80\",\"namespace\":\"default\",\"service\":\"dev\",\"port\":\"80\",\"external\":null,"
        "\"endpoints\":[{\"address\":\"127.0.0.1:9001\",\"ready\":true},{\"address\":\"127.0.0.2:9001\",\"ready\":false}]},"
        "{\"name\":\"default/empty:80\",\"namespace\":\"default\",\"service\":\"empty\",\"port\":\"80\",\"external\":null,"
        "\"endpoints\":[]}]}");
}

TEST_CASE("/debug/snapshot carries the controller's report and the skipped objects", "[admin]") {
  auto t = table();
  TranslationReport r;
  r.generation = 7;
  r.translations = 3;
  r.reason = "2 store changes coalesced";
  r.built_at = std::chrono::system_clock::time_point(std::chrono::seconds(1'760'000'000));
  r.skipped.push_back({"Ingress", "default", "bad", "path \"x\" must start with /"});
  const std::string json = debug_snapshot_json(t.get(), &r, 7);
  CHECK(json.starts_with("{\"generation\":7,\"appliedGeneration\":7,\"builtAt\":\"2025-10-09T08:53:20Z\","
                         "\"reason\":\"2 store changes coalesced\",\"translations\":3,"));
  CHECK(json.find("\"skipped\":[{\"kind\":\"Ingress\",\"namespace\":\"default\",\"name\":\"bad\","
                  "\"reason\":\"path \\\"x\\\" must start with /\"}]") != std::string::npos);
  CHECK(json.find("\"dump\":\"* prefix /dev -> default/dev:80 (default/tkng-1)\\n") != std::string::npos);
}

TEST_CASE("/debug/explain answers with the status a request would get", "[admin]") {
  auto t = table();
  auto explain = [&](std::string_view host, std::string_view path) { return debug_explain_json(*t, host, path); };
  CHECK(explain("x", "/dev/a").find("\"status\":200,\"summary\":\"proxied to default/dev:80 (1 ready endpoint)\"") !=
        std::string::npos);
  CHECK(explain("a.example.com", "/").find("\"status\":503") != std::string::npos);
  CHECK(explain("a.example.com", "/").find("\"hostSelection\":\"wildcard\",\"hostRule\":\"*.example.com\"") !=
        std::string::npos);
  CHECK(explain("x", "/devx").find("\"status\":404,\"summary\":\"404: no rule matches\"") != std::string::npos);
  CHECK(explain("x", "/devx").find("\"matched\":null") != std::string::npos);
}

TEST_CASE("/debug/explain names a route's own redirect as its answer", "[admin][redirect]") {
  RouteTableBuilder b;
  auto web = b.add_backend(test::service_backend_for_test("default", "web", "80"));
  b.add_route({.host = "perm.test", .path = "/", .backend = web,
               .policy = b.add_policy({.redirect = ReturnRedirect{308, "https://new.test"}})});
  b.add_route({.host = "www.site.test", .path = "/", .backend = web,
               .policy = b.add_policy({.www_redirect = WwwRedirect{308, "site.test"}})});
  b.add_route({.host = "root.test", .path = "/", .backend = web, .policy = b.add_policy({.app_root = "/app"})});
  const auto t = std::move(b).build(1);
  CHECK(debug_explain_json(*t, "perm.test", "/x").find("\"status\":308,\"summary\":\"308: returns https://new.test\"") !=
        std::string::npos);
  CHECK(debug_explain_json(*t, "www.site.test", "/").find("\"summary\":\"308: from-to-www-redirect to site.test\"") !=
        std::string::npos);
  CHECK(debug_explain_json(*t, "root.test", "/").find("; \\\"/\\\" gets 302 to app-root /app\"") != std::string::npos);
}
