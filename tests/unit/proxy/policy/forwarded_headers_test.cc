// use-forwarded-headers: which of the client's fields the proxy takes.
#include "proxy/policy/forwarded_headers.h"

#include <catch2/catch.hpp>

using namespace sluice;

TEST_CASE("the client's forwarded fields are read as lua_ingress.lua reads them", "[forwarded]") {
  HeaderList none;
  none.add("Host", "a.test");
  ForwardedView v = read_forwarded(none);
  CHECK_FALSE(v.has_proto);
  CHECK_FALSE(v.has_port);
  CHECK_FALSE(v.has_host);

  HeaderList all;
  all.add("x-forwarded-proto", "https");
  all.add("X-Forwarded-Proto", "http");  // the first field counts
  all.add("X-Forwarded-Port", "443");
  all.add("X-Forwarded-Host", "a.example, b.example");
  v = read_forwarded(all);
  CHECK((v.has_proto && v.proto == "https"));
  CHECK((v.has_port && v.port == "443"));
  CHECK((v.has_host && v.host == "a.example"));  // the first element, as written

  HeaderList empty;
  empty.add("X-Forwarded-Proto", "");
  empty.add("X-Forwarded-Host", ",b.example");
  v = read_forwarded(empty);
  CHECK((v.has_proto && v.proto.empty()));  // present and empty: Lua's "" is not nil
  CHECK((v.has_host && v.host.empty()));
}
