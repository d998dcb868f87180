// Addresses and ranges as Go's ParseIP/ParseCIDR read them and nginx's
// access module matches them: one table per form, every invalid form.
#include <catch2/catch.hpp>

#include "common/model/ip_range.h"

using namespace sluice;

TEST_CASE("ranges parse as Go's ParseCIDR and ParseIP, host bits cleared", "[ip_range]") {
  struct Case {
    const char* text;
    const char* described;  // null: refused
  };
  const Case cases[] = {
      {"10.0.0.0/8", "10.0.0.0/8"},       {"10.1.2.3/8", "10.0.0.0/8"},
      {"192.168.1.7", "192.168.1.7/32"},  {"0.0.0.0/0", "0.0.0.0/0"},
      {"2001:db8::/32", "2001:db8::/32"}, {"2001:db8::1", "2001:db8::1/128"},
      {"::1", "::1/128"},                 {"::ffff:10.0.0.1", "10.0.0.1/32"},
      {"::ffff:10.1.0.0/112", "10.1.0.0/16"}, {"1.2.3.4/32", "1.2.3.4/32"},
      {"", nullptr},            {"10.0.0.0/33", nullptr},  {"10.0.0/8", nullptr},
      {"010.0.0.1", nullptr},   {"10.0.0.1/", nullptr},    {"10.0.0.1/a", nullptr},
      {"/8", nullptr},          {"2001:db8::/129", nullptr}, {"fe80::1%eth0", nullptr},
      {"example.com", nullptr}, {" 10.0.0.1", nullptr},    {"10.0.0.1/-1", nullptr},
      {"256.0.0.1", nullptr},
  };
  for (const auto& c : cases) {
    INFO('"' << c.text << '"');
    auto r = parse_ip_range(c.text);
    if (!c.described) {
      CHECK_FALSE(r);
    } else {
      REQUIRE(r);
      CHECK(describe(*r) == c.described);
    }
  }
}

TEST_CASE("a range holds the addresses of its family under its prefix", "[ip_range]") {
  struct Case {
    const char* range;
    const char* address;
    bool contained;
  };
  const Case cases[] = {
      {"10.0.0.0/8", "10.255.1.2", true},     {"10.0.0.0/8", "11.0.0.1", false},
      {"192.168.1.128/25", "192.168.1.200", true}, {"192.168.1.128/25", "192.168.1.127", false},
      {"0.0.0.0/0", "8.8.8.8", true},         {"0.0.0.0/0", "::1", false},
      {"::/0", "127.0.0.1", false},           {"::/0", "2001:db8::5", true},
      {"2001:db8::/32", "2001:db8:ffff::1", true}, {"2001:db8::/32", "2001:db9::1", false},
      {"127.0.0.1", "127.0.0.1", true},       {"127.0.0.1", "127.0.0.2", false},
      {"10.0.0.0/8", "::ffff:10.0.0.1", true},  // a mapped client is its IPv4 address
      {"10.1.0.0/15", "10.0.255.255", true},  {"10.1.0.0/15", "10.2.0.0", false},
  };
  for (const auto& c : cases) {
    INFO(c.range << " " << c.address);
    auto r = parse_ip_range(c.range);
    auto a = parse_client_address(c.address);
    REQUIRE(r);
    REQUIRE(a);
    CHECK(r->contains(*a) == c.contained);
  }
}
