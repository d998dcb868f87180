// Request ids: ingress-nginx's $req_id shape, never repeated.
#include <catch2/catch.hpp>

#include <string>
#include <unordered_set>

#include "proxy/server/request_id.h"

using namespace sluice;

TEST_CASE("a request id is 32 lowercase hex digits", "[worker]") {
  RequestIdGenerator ids;
  std::string id = "something longer than an id, to be replaced entirely";
  for (int i = 0; i < 1000; ++i) {
    ids.next(id);
    INFO(id);
    REQUIRE(id.size() == 32);
    for (char c : id) REQUIRE(((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')));
  }
}

TEST_CASE("request ids do not repeat, within a generator or across generators", "[worker]") {
  RequestIdGenerator a, b;
  std::unordered_set<std::string> seen;
  std::string id;
  for (int i = 0; i < 100000; ++i) {
    a.next(id);
    REQUIRE(seen.insert(id).second);
    b.next(id);
    REQUIRE(seen.insert(id).second);
  }
}

TEST_CASE("every hex digit appears in every position of request ids", "[worker]") {
  // A broken encoding (a nibble dropped, a byte repeated) leaves some digit
  // out of some position; 16 digits in 32 places need only a few thousand ids.
  RequestIdGenerator ids;
  bool seen[32][16] = {};
  std::string id;
  for (int i = 0; i < 4000; ++i) {
    ids.next(id);
    for (std::size_t p = 0; p < 32; ++p) seen[p][id[p] <= '9' ? id[p] - '0' : id[p] - 'a' + 10] = true;
  }
  for (std::size_t p = 0; p < 32; ++p)
    for (int d = 0; d < 16; ++d) {
      INFO("position " << p << " digit " << d);
      CHECK(seen[p][d]);
    }
}
