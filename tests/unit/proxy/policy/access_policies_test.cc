// The access and CORS policies on the proxy side as tables: allow/deny
// lists against client addresses, basic credentials against a user list,
// CORS origins against entries, and decide()'s order between them (a
// preflight is answered before any access check, as nginx's rewrite phase
// runs before its access phase).
#include <catch2/catch.hpp>

#include "proxy/http/decide.h"
#include "proxy/policy/basic_auth.h"
#include "proxy/policy/cors.h"
#include "proxy/policy/source_ranges.h"

using namespace sluice;

namespace {

IpRange range(const char* text) {
  auto r = parse_ip_range(text);
  REQUIRE(r);
  return *r;
}

ConnectionFacts client(const char* ip, bool tls = false) {
  return ConnectionFacts{tls, ip, parse_client_address(ip).value_or(ClientAddress{})};
}

// A request whose head holds `fields`, kept alive by the caller's HeaderList.
RequestView request(HeaderList& fields, std::initializer_list<std::pair<const char*, const char*>> kv,
                    Method method = Method::get, std::string_view host = "a.test") {
  fields.clear();
  for (auto [k, v] : kv) fields.add(k, v);
  return {.method = method, .target = "/", .host = host, .headers = &fields};
}

}  // namespace

TEST_CASE("deny lines come first, then allow lines, then deny all", "[access]") {
  const SourceRanges ranges{.deny = {range("10.0.0.5"), range("2001:db8::/64")},
                            .allow = {range("10.0.0.0/8"), range("2001:db8::/32")}};
  const SourceRanges deny_only{.deny = {range("192.168.0.0/16")}};
  struct Case {
    const SourceRanges* ranges;
    const char* ip;
    bool allowed;
  };
  const Case cases[] = {
      {&ranges, "10.1.2.3", true},         {&ranges, "10.0.0.5", false},   // denied although allowed
      {&ranges, "11.0.0.1", false},        {&ranges, "2001:db8:1::1", true},
      {&ranges, "2001:db8::1", false},     {&ranges, "::1", false},
      {&deny_only, "192.168.3.4", false},  {&deny_only, "8.8.8.8", true},
      {&deny_only, "::ffff:192.168.3.4", false},
  };
  for (const auto& c : cases) {
    INFO(c.ip);
    const Verdict v = check_source_ranges(*c.ranges, client(c.ip));
    CHECK((v.kind == VerdictKind::continue_) == c.allowed);
    if (!c.allowed) {
      CHECK(v.reply.error == ProxyError::forbidden);
      CHECK(status_for(v.reply.error) == 403);
    }
  }
}

TEST_CASE("basic credentials are read as nginx's auth_basic reads them", "[basic_auth]") {
  // alice:secret ({PLAIN}), bob:secret (apr1), a second alice line that
  // nginx never reaches.
  const BasicAuthPolicy auth{.challenge = "Basic realm=\"r\"",
                             .users = {{"alice", "{PLAIN}secret"},
                                       {"bob", "$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/"}}};
  struct Case {
    const char* name;
    const char* authorization;  // null: no field
    bool allowed;
  };
  const Case cases[] = {
      {"no Authorization field", nullptr, false},
      {"alice:secret", "Basic YWxpY2U6c2VjcmV0", true},
      {"the scheme without case", "bAsIc YWxpY2U6c2VjcmV0", true},
      {"spaces after the scheme", "Basic    YWxpY2U6c2VjcmV0", true},
      {"bob:secret through apr1", "Basic Ym9iOnNlY3JldA==", true},
      {"bob with a wrong password", "Basic Ym9iOndyb25n", false},
      {"an unknown user", "Basic Y2Fyb2w6c2VjcmV0", false},
      {"another scheme", "Bearer YWxpY2U6c2VjcmV0", false},
      {"the scheme alone", "Basic ", false},
      {"no space after the scheme", "BasicYWxpY2U6c2VjcmV0", false},
      {"not base64", "Basic !!!!", false},
      {"no colon (alice)", "Basic YWxpY2U=", false},
      {"an empty user (:secret)", "Basic OnNlY3JldA==", false},
      {"trailing garbage after '=' is ignored (bob:secret)", "Basic Ym9iOnNlY3JldA==junk", true},
      {"a trailing space is not base64", "Basic YWxpY2U6c2VjcmV0 ", false},
      {"a password holding ':' (alice:secret:x)", "Basic YWxpY2U6c2VjcmV0Ong=", false},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    HeaderList fields;
    const RequestView r = c.authorization ? request(fields, {{"Authorization", c.authorization}})
                                          : request(fields, {{"X-Other", "1"}});
    const Verdict v = check_basic_auth(auth, r);
    CHECK((v.kind == VerdictKind::continue_) == c.allowed);
    if (!c.allowed) CHECK(status_for(v.reply.error) == 401);
  }
}

TEST_CASE("CORS origins match as nginx's ~* (entry)$ does", "[cors]") {
  const CorsOrigin exact{.prefix = "https://a.test"};
  const CorsOrigin port{.prefix = "http://a.test:8080"};
  const CorsOrigin wildcard{.prefix = "https://", .wildcard = true, .suffix = ".b.test"};
  const CorsOrigin null{.prefix = "null"};
  struct Case {
    const CorsOrigin* entry;
    const char* origin;
    bool matches;
  };
  const Case cases[] = {
      {&exact, "https://a.test", true},         {&exact, "HTTPS://A.TEST", true},
      {&exact, "http://a.test", false},         {&exact, "https://a.test:443", false},
      {&exact, "https://xa.test", false},       {&exact, "https://a.testx", false},
      {&exact, "evilhttps://a.test", true},     // anchored at the end only, as the template's regex
      {&port, "http://a.test:8080", true},      {&port, "http://a.test", false},
      {&wildcard, "https://x.b.test", true},    {&wildcard, "https://x-y9.b.test", true},
      {&wildcard, "https://x.y.b.test", false}, {&wildcard, "https://.b.test", false},
      {&wildcard, "https://b.test", false},     {&wildcard, "https://X.B.TEST", true},
      {&wildcard, "http://x.b.test", false},    {&wildcard, "https://x_y.b.test", false},
      {&null, "null", true},                    {&null, "xnull", true},  {&null, "nul", false},
  };
  for (const auto& c : cases) {
    INFO(c.entry->prefix << (c.entry->wildcard ? "*" : "") << c.entry->suffix << " vs " << c.origin);
    CHECK(cors_origin_matches(*c.entry, c.origin) == c.matches);
  }
}

TEST_CASE("the Allow-Origin value is * for any origin, the Origin when allowed, else nothing", "[cors]") {
  const CorsPolicy any;
  const CorsPolicy listed{.any_origin = false, .origins = {{.prefix = "https://a.test"}}};
  const CorsPolicy none{.any_origin = false};
  HeaderList fields;
  CHECK(cors_allow_origin(any, request(fields, {})) == "*");
  CHECK(cors_allow_origin(listed, request(fields, {{"Origin", "https://a.test"}})) == "https://a.test");
  CHECK(cors_allow_origin(listed, request(fields, {{"origin", "https://A.test"}})) == "https://A.test");
  CHECK(cors_allow_origin(listed, request(fields, {{"Origin", "https://b.test"}})).empty());
  CHECK(cors_allow_origin(listed, request(fields, {})).empty());
  CHECK(cors_allow_origin(none, request(fields, {{"Origin", "https://a.test"}})).empty());
}

namespace {

// a.test: CORS for https://ok.test, basic auth and an allow list of
// 10.0.0.0/8; tls.test: the same with ssl-redirect; open.test: nothing.
std::shared_ptr<const RouteTable> access_snapshot() {
  RouteTableBuilder b;
  Backend shop{.name = "ns/shop:80"};
  Endpoint e;
  e.name = "10.0.0.1:80";
  shop.endpoints.push_back(e);
  const auto backend = b.add_backend(shop);
  RoutePolicy p;
  p.cors = CorsPolicy{.any_origin = false, .origins = {{.prefix = "https://ok.test"}}};
  p.basic_auth = BasicAuthPolicy{.challenge = "Basic realm=\"r\"", .users = {{"u", "{PLAIN}p"}}};
  p.source_ranges.allow = {range("10.0.0.0/8")};
  b.add_route({.host = "a.test", .path = "/", .backend = backend, .policy = b.add_policy(p)});
  p.ssl_redirect = true;
  b.add_route({.host = "tls.test", .path = "/", .backend = backend, .policy = b.add_policy(p)});
  RoutePolicy denied = p;
  denied.denied = true;
  b.add_route({.host = "denied.test", .path = "/", .backend = backend, .policy = b.add_policy(denied)});
  b.add_route({.host = "open.test", .path = "/", .backend = backend});
  return std::move(b).build(1);
}

}  // namespace

TEST_CASE("decide(): preflight, then redirects, then allow/deny, then basic auth", "[decide][access][cors]") {
  const auto table = access_snapshot();
  struct Case {
    const char* name;
    Method method;
    const char* host;
    const char* ip;
    std::initializer_list<std::pair<const char*, const char*>> fields;
    VerdictKind kind;
    ProxyError error;
    const char* allow_origin;
  };
  const Case cases[] = {
      {"a preflight from an allowed Origin is 204 before the allow list and auth", Method::options, "a.test",
       "8.8.8.8", {{"Origin", "https://ok.test"}}, VerdictKind::respond, ProxyError::cors_preflight,
       "https://ok.test"},
      {"a preflight from another Origin meets the allow list", Method::options, "a.test", "8.8.8.8",
       {{"Origin", "https://no.test"}}, VerdictKind::respond, ProxyError::forbidden, ""},
      {"a client outside the allow list is 403 before auth", Method::get, "a.test", "8.8.8.8",
       {{"Origin", "https://ok.test"}}, VerdictKind::respond, ProxyError::forbidden, "https://ok.test"},
      {"an allowed client without credentials is 401", Method::get, "a.test", "10.1.1.1", {},
       VerdictKind::respond, ProxyError::unauthorized, ""},
      {"an allowed client with credentials is forwarded", Method::get, "a.test", "10.1.1.1",
       {{"Authorization", "Basic dTpw"}, {"Origin", "https://ok.test"}}, VerdictKind::continue_,
       ProxyError::none, "https://ok.test"},
      {"ssl-redirect comes before allow/deny and auth", Method::get, "tls.test", "8.8.8.8", {},
       VerdictKind::redirect, ProxyError::none, ""},
      {"a preflight comes even before ssl-redirect", Method::options, "tls.test", "8.8.8.8",
       {{"Origin", "https://ok.test"}}, VerdictKind::respond, ProxyError::cors_preflight, "https://ok.test"},
      {"a denied location is 503, with no CORS", Method::options, "denied.test", "10.1.1.1",
       {{"Origin", "https://ok.test"}}, VerdictKind::respond, ProxyError::location_denied, ""},
      {"a route without the policies only forwards", Method::options, "open.test", "8.8.8.8",
       {{"Origin", "https://ok.test"}}, VerdictKind::continue_, ProxyError::none, ""},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    HeaderList fields;
    const RequestView r = request(fields, c.fields, c.method, c.host);
    const Decision d = decide(r, table.get(), client(c.ip));
    CHECK(d.verdict.kind == c.kind);
    if (c.kind == VerdictKind::respond) CHECK(d.verdict.reply.error == c.error);
    CHECK(d.cors_allow_origin == c.allow_origin);
  }
}

TEST_CASE("satisfy any: the allow list or the credentials suffice, a 401 wins over a 403", "[decide][access]") {
  RouteTableBuilder b;
  Backend shop{.name = "ns/shop:80"};
  Endpoint e;
  e.name = "10.0.0.1:80";
  shop.endpoints.push_back(e);
  const auto backend = b.add_backend(shop);
  RoutePolicy both;
  both.satisfy_any = true;
  both.source_ranges = {.deny = {range("10.9.9.9")}, .allow = {range("10.0.0.0/8")}};
  both.basic_auth = BasicAuthPolicy{.challenge = "Basic realm=\"r\"", .users = {{"u", "{PLAIN}p"}}};
  b.add_route({.host = "both.test", .path = "/", .backend = backend, .policy = b.add_policy(both)});
  RoutePolicy deny_only = both;
  deny_only.source_ranges.allow.clear();
  deny_only.basic_auth.reset();
  b.add_route({.host = "deny.test", .path = "/", .backend = backend, .policy = b.add_policy(deny_only)});
  RoutePolicy allow_only = both;
  allow_only.basic_auth.reset();
  b.add_route({.host = "allow.test", .path = "/", .backend = backend, .policy = b.add_policy(allow_only)});
  const auto table = std::move(b).build(1);
  struct Case {
    const char* host;
    const char* ip;
    bool credentials;
    ProxyError error;  // none: forwarded
  };
  const Case cases[] = {
      {"both.test", "10.1.1.1", false, ProxyError::none},          // the allow list admits it
      {"both.test", "8.8.8.8", true, ProxyError::none},            // the credentials do
      {"both.test", "8.8.8.8", false, ProxyError::unauthorized},   // neither: auth_basic's 401
      {"both.test", "10.9.9.9", false, ProxyError::unauthorized},  // denied, and no credentials
      {"both.test", "10.9.9.9", true, ProxyError::none},           // denied, but the credentials suffice
      {"deny.test", "10.9.9.9", false, ProxyError::forbidden},
      {"deny.test", "8.8.8.8", false, ProxyError::none},           // no rule matched: declined, not denied
      {"allow.test", "8.8.8.8", false, ProxyError::forbidden},
      {"allow.test", "10.2.2.2", false, ProxyError::none},
  };
  for (const auto& c : cases) {
    INFO(c.host << " " << c.ip << (c.credentials ? " with credentials" : ""));
    HeaderList fields;
    const RequestView r = c.credentials ? request(fields, {{"Authorization", "Basic dTpw"}}, Method::get, c.host)
                                        : request(fields, {}, Method::get, c.host);
    const Decision d = decide(r, table.get(), client(c.ip));
    if (c.error == ProxyError::none) {
      CHECK(d.verdict.kind == VerdictKind::continue_);
    } else {
      CHECK(d.verdict.kind == VerdictKind::respond);
      CHECK(d.verdict.reply.error == c.error);
    }
  }
}

TEST_CASE("without satisfy any, every check must pass", "[decide][access]") {
  const SourceRanges ranges{.allow = {range("10.0.0.0/8")}};
  CHECK(match_source_ranges(ranges, *parse_client_address("10.0.0.1")) == RangeMatch::allowed);
  CHECK(match_source_ranges(ranges, *parse_client_address("11.0.0.1")) == RangeMatch::denied);
  CHECK(match_source_ranges(SourceRanges{.deny = {range("10.0.0.0/8")}}, *parse_client_address("11.0.0.1")) ==
        RangeMatch::declined);
}
