// Listen address parsing: the forms users write, and clear errors.
#include <catch2/catch.hpp>

#include "proxy/server/listener.h"

using namespace sluice;

TEST_CASE("listen addresses parse as ADDR:PORT", "[listener]") {
  CHECK(to_string(parse_listen_address("127.0.0.1:8080")) == "127.0.0.1:8080");
  CHECK(to_string(parse_listen_address("[::1]:0")) == "[::1]:0");
  CHECK(to_string(parse_listen_address(":9000")) == "0.0.0.0:9000");
  CHECK_THROWS_AS(parse_listen_address("8080"), std::invalid_argument);
  CHECK_THROWS_AS(parse_listen_address("localhost:80"), std::invalid_argument);
  CHECK_THROWS_AS(parse_listen_address("1.2.3.4:70000"), std::invalid_argument);
}
