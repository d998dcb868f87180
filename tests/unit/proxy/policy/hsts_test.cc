// HSTS: the field HTTPS responses carry, from the route or the --hsts flag.
#include <catch2/catch.hpp>

#include <string>

#include "proxy/policy/hsts.h"
#include "common/strings.h"
#include "proxy/policy/ssl_redirect.h"

using namespace sluice;

namespace {

std::string added(const FieldEdits& edits) {
  std::string out;
  edits.for_each_added([&](std::string_view n, std::string_view v) { out += std::string(n) + ": " + std::string(v) + "\n"; });
  return out;
}

}  // namespace

TEST_CASE("HSTS goes only over TLS, from the route's policy or else the flag", "[policy][hsts]") {
  HstsValue value;
  FieldEdits edits;
  const RoutePolicy none;
  const RoutePolicy own{.hsts = HstsPolicy{.max_age_seconds = 600, .include_subdomains = false, .preload = true}};

  apply_hsts(&none, false, true, edits, value);
  CHECK(edits.empty());  // plain HTTP never gets it (RFC 6797 7.2)

  apply_hsts(&none, true, false, edits, value);
  CHECK(edits.empty());  // no flag, no policy

  apply_hsts(&none, true, true, edits, value);
  CHECK(added(edits) == "Strict-Transport-Security: max-age=31536000; includeSubDomains\n");
  CHECK(edits.replaces("strict-transport-security"));  // a backend's own field is replaced, as more_set_headers does

  edits.reset();
  apply_hsts(&own, true, false, edits, value);
  CHECK(added(edits) == "Strict-Transport-Security: max-age=600; preload\n");

  edits.reset();
  apply_hsts(nullptr, true, true, edits, value);  // a local reply before routing
  CHECK(added(edits) == "Strict-Transport-Security: max-age=31536000; includeSubDomains\n");
}

TEST_CASE("the redirect's host drops the port, IPv6 literals included", "[policy][ssl-redirect]") {
  CHECK(host_without_port("shop.test") == "shop.test");
  CHECK(host_without_port("shop.test:8080") == "shop.test");
  CHECK(host_without_port("[2001:db8::1]") == "[2001:db8::1]");
  CHECK(host_without_port("[2001:db8::1]:8080") == "[2001:db8::1]");
  CHECK(host_without_port("2001:db8::1") == "2001:db8::1");  // bare: no port to drop
}
