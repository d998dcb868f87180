// permanent/temporal-redirect, app-root and from-to-www-redirect on the
// proxy side: decide() over a small snapshot, then the head build_redirect
// writes, so each row checks the status and the Location nginx would send.
#include <catch2/catch.hpp>

#include "proxy/http/decide.h"
#include "proxy/http/local_reply.h"

#include <set>

using namespace sluice;

namespace {

// One route per host, each with one policy; all forward to "ns/web:80".
std::shared_ptr<const RouteTable> snapshot() {
  RouteTableBuilder b;
  Backend web{.name = "ns/web:80"};
  web.endpoints.push_back(Endpoint{.name = "10.0.0.1:80"});
  const auto backend = b.add_backend(web);
  auto route = [&](const char* host, RoutePolicy p) {
    b.add_route({.host = host, .path = "/", .backend = backend, .policy = b.add_policy(std::move(p))});
  };
  route("perm.test", {.redirect = ReturnRedirect{301, "https://new.test/landing?x=1"}});
  route("code.test", {.redirect = ReturnRedirect{308, "https://new.test"}});
  route("rel.test", {.redirect = ReturnRedirect{302, "/moved"}});
  route("body.test", {.redirect = ReturnRedirect{300, "https://new.test"}});
  route("nm.test", {.redirect = ReturnRedirect{304, "https://new.test"}});
  route("both.test", {.ssl_redirect = true, .redirect = ReturnRedirect{302, "https://t.test"}});
  route("denied.test", {.denied = true, .redirect = ReturnRedirect{302, "https://t.test"}});
  route("root.test", {.ssl_redirect = true, .app_root = "/app"});
  route("rootdenied.test", {.denied = true, .app_root = "/app"});
  route("www.site.test", {.www_redirect = WwwRedirect{308, "site.test"}});
  return std::move(b).build(1);
}

struct Row {
  const char* name;
  const char* host;
  const char* target;
  bool tls;
  int status;            // 0: forwarded
  const char* location;  // "" none
  const char* body;      // for text answers
};

// The head (and body) the codec would write for the verdict.
std::string reply_for(const Verdict& v) {
  std::string out;
  if (v.kind == VerdictKind::redirect) build_redirect(out, v.redirect, "rid", false);
  else if (v.kind == VerdictKind::respond) build_local_reply(out, v.reply.error, "rid", v.reply.detail, false);
  return out;
}

std::string field(const std::string& head, std::string_view name) {
  auto at = head.find("\r\n" + std::string(name) + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return head.substr(at, head.find("\r\n", at) - at);
}

}  // namespace

TEST_CASE("a route's own redirects answer as nginx's return and app-root would", "[decide][policy][redirect]") {
  const auto table = snapshot();
  const Row rows[] = {
      {"permanent-redirect sends the URL as written, without the request's path", "perm.test", "/a/b?c=d", false,
       301, "https://new.test/landing?x=1", ""},
      {"its code is the annotation's", "code.test", "/", false, 308, "https://new.test", ""},
      {"a relative URL gets the scheme and the Host without its port", "rel.test:8080", "/x", false, 302,
       "http://rel.test/moved", ""},
      {"... over TLS, https", "rel.test", "/x", true, 302, "https://rel.test/moved", ""},
      {"a code that is no redirect sends the URL as its body", "body.test", "/", false, 300, "", "https://new.test"},
      {"304 has no body", "nm.test", "/", false, 304, "", ""},
      {"return runs before ssl-redirect's Lua", "both.test", "/p", false, 302, "https://t.test", ""},
      {"a denied location answers 503, never its redirect", "denied.test", "/", false, 503, "", ""},
      {"app-root redirects exactly \"/\" to $scheme://$http_host<app-root>", "root.test:8080", "/", false, 302,
       "http://root.test:8080/app", ""},
      {"app-root drops the query", "root.test", "/?q=1", false, 302, "http://root.test/app", ""},
      {"app-root counts merged slashes as \"/\"", "root.test", "//", false, 302, "http://root.test/app", ""},
      {"app-root is server level: before ssl-redirect", "root.test", "/", false, 302, "http://root.test/app", ""},
      {"other paths of an app-root host go on (here to ssl-redirect)", "root.test", "/app", false, 308,
       "https://root.test/app", ""},
      {"app-root over TLS", "root.test", "/", true, 302, "https://root.test/app", ""},
      {"app-root is server level: even a denied location's host redirects \"/\"", "rootdenied.test", "/", false, 302,
       "http://rootdenied.test/app", ""},
      {"... and its other paths are denied", "rootdenied.test", "/x", false, 503, "", ""},
      {"from-to-www: to the host with the listener's port, less one trailing '/'", "www.site.test", "/a/?b=c/",
       false, 308, "http://site.test:8080/a/?b=c", ""},
      {"from-to-www: \"/\" becomes nothing", "www.site.test", "/", false, 308, "http://site.test:8080", ""},
      {"from-to-www over TLS keeps the scheme", "www.site.test:8443", "/x", true, 308, "https://site.test:8443/x", ""},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    RequestView request{.method = Method::get, .target = row.target, .host = row.host};
    const ConnectionFacts connection{.tls = row.tls, .client_ip = "192.0.2.1", .port = row.tls ? "8443" : "8080"};
    const Decision d = decide(request, table.get(), connection);
    if (row.status == 0) {
      CHECK(d.verdict.kind == VerdictKind::continue_);
      continue;
    }
    const std::string out = reply_for(d.verdict);
    CHECK(out.starts_with("HTTP/1.1 " + std::to_string(row.status) + " "));
    CHECK(field(out, "Location") == row.location);
    if (*row.body || row.status == 304) CHECK(out.substr(out.find("\r\n\r\n") + 4) == row.body);
  }
}

TEST_CASE("routes without these policies are forwarded as before", "[decide][policy][redirect]") {
  RouteTableBuilder b;
  Backend web{.name = "ns/web:80"};
  web.endpoints.push_back(Endpoint{.name = "10.0.0.1:80"});
  b.add_route({.host = "plain.test", .path = "/", .backend = b.add_backend(web)});
  const auto table = std::move(b).build(1);
  for (const char* target : {"/", "//", "/a"}) {
    INFO(target);
    RequestView request{.method = Method::get, .target = target, .host = "plain.test"};
    const Decision d = decide(request, table.get(), ConnectionFacts{.tls = false, .client_ip = "192.0.2.1", .port = "8080"});
    CHECK(d.verdict.kind == VerdictKind::continue_);
  }
}

TEST_CASE("every redirect field tells policies apart", "[policy][redirect]") {
  const RoutePolicy policies[] = {
      {},
      {.redirect = ReturnRedirect{301, "https://a.test"}},
      {.redirect = ReturnRedirect{302, "https://a.test"}},
      {.redirect = ReturnRedirect{301, "https://b.test"}},
      {.www_redirect = WwwRedirect{308, "a.test"}},
      {.www_redirect = WwwRedirect{301, "a.test"}},
      {.www_redirect = WwwRedirect{308, "b.test"}},
      {.app_root = "/a"},
      {.app_root = "/b"},
      // A URL holding what the text form uses as separators must not collide.
      {.redirect = ReturnRedirect{301, "x) app-root(1:/"}},
      {.redirect = ReturnRedirect{301, "x"}, .app_root = "/"},
  };
  std::set<std::string> texts;
  for (const RoutePolicy& p : policies) texts.insert(describe(p));
  CHECK(texts.size() == std::size(policies));
}
