// IP networks as block-cidrs and proxy-real-ip-cidr take them.
#include "common/model/ip_network.h"

#include <catch2/catch.hpp>

using namespace sluice;

TEST_CASE("networks parse as nginx's deny and set_real_ip_from take them", "[ip]") {
  struct Case { const char* text; const char* want; };  // want null: invalid
  for (const Case& c : {Case{"10.0.0.0/8", "10.0.0.0/8"}, {"10.1.2.3/8", "10.0.0.0/8"}, {"192.0.2.1", "192.0.2.1/32"},
                        {"0.0.0.0/0", "0.0.0.0/0"}, {"2001:db8::/32", "2001:db8::/32"}, {"::1", "::1/128"},
                        {"2001:db8::1/129", nullptr}, {"10.0.0.0/33", nullptr}, {"10.0.0.0/", nullptr},
                        {"10.0.0.0/x", nullptr}, {"10.0.0/8", nullptr}, {"all", nullptr}, {"", nullptr},
                        {"[::1]", nullptr}, {"10.0.0.1:80", nullptr}, {"10.0.0.0/+8", nullptr}}) {
    INFO(c.text);
    auto n = parse_ip_network(c.text);
    if (!c.want) {
      CHECK_FALSE(n);
      continue;
    }
    REQUIRE(n);
    CHECK(to_string(*n) == c.want);
  }
}

TEST_CASE("a network contains the addresses under its prefix", "[ip]") {
  auto v4 = *parse_ip_network("192.0.2.128/25");
  CHECK(v4.contains(*parse_ip_address("192.0.2.200")));
  CHECK_FALSE(v4.contains(*parse_ip_address("192.0.2.127")));
  CHECK(v4.contains(*parse_ip_address("::ffff:192.0.2.129")));  // a mapped peer is its IPv4 address
  CHECK_FALSE(v4.contains(*parse_ip_address("2001:db8::1")));
  auto all4 = *parse_ip_network("0.0.0.0/0");
  CHECK(all4.contains(*parse_ip_address("203.0.113.9")));
  CHECK_FALSE(all4.contains(*parse_ip_address("2001:db8::1")));  // 0.0.0.0/0 is IPv4 only, as in nginx
  auto v6 = *parse_ip_network("2001:db8:8000::/33");
  CHECK(v6.contains(*parse_ip_address("2001:db8:ffff::1")));
  CHECK_FALSE(v6.contains(*parse_ip_address("2001:db8:7fff::1")));
  CHECK(parse_ip_network("::/0")->contains(*parse_ip_address("1.2.3.4")));
}
