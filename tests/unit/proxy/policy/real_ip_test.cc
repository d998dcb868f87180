// The realip walk (real_ip_recursive on) as a table: settings, peer and
// forwarded-for fields in, $remote_addr out.
#include "proxy/policy/real_ip.h"

#include <catch2/catch.hpp>

using namespace sluice;

namespace {

ClientAddressSettings settings(std::vector<const char*> trusted, const char* header = "X-Forwarded-For") {
  ClientAddressSettings s;
  s.real_ip = true;
  s.header = header;
  for (const char* t : trusted) s.trusted.push_back(*parse_ip_network(t));
  return s;
}

struct Row {
  const char* name;
  std::vector<const char*> trusted;
  const char* peer;
  std::vector<const char*> fields;  // values of X-Forwarded-For, in order
  const char* want;
};

}  // namespace

TEST_CASE("the client address is the first untrusted one, right to left", "[real_ip]") {
  const Row rows[] = {
      {"no field: the peer", {"0.0.0.0/0"}, "127.0.0.1", {}, "127.0.0.1"},
      {"one address", {"0.0.0.0/0"}, "127.0.0.1", {"203.0.113.5"}, "203.0.113.5"},
      {"all trusted: the leftmost", {"0.0.0.0/0"}, "127.0.0.1", {"203.0.113.5, 198.51.100.2"}, "203.0.113.5"},
      {"stops at the first untrusted", {"127.0.0.1/32", "10.0.0.0/8"}, "127.0.0.1",
       {"203.0.113.5, 198.51.100.2, 10.1.1.1"}, "198.51.100.2"},
      {"an untrusted peer is the client", {"10.0.0.0/8"}, "127.0.0.1", {"203.0.113.5"}, "127.0.0.1"},
      {"a port is dropped", {"0.0.0.0/0"}, "127.0.0.1", {"203.0.113.5:8080"}, "203.0.113.5"},
      {"IPv6, bracketed with a port", {"0.0.0.0/0"}, "127.0.0.1", {"[2001:DB8::2]:443"}, "2001:db8::2"},
      {"an unreadable last entry keeps the peer", {"0.0.0.0/0"}, "127.0.0.1", {"203.0.113.5, junk"}, "127.0.0.1"},
      {"an unreadable earlier entry keeps the last good one", {"0.0.0.0/0"}, "127.0.0.1",
       {"junk, 198.51.100.2"}, "198.51.100.2"},
      {"stray commas and spaces", {"0.0.0.0/0"}, "127.0.0.1", {" , 203.0.113.9 ,"}, "203.0.113.9"},
      {"fields are read last to first", {"0.0.0.0/0"}, "127.0.0.1", {"203.0.113.1", "198.51.100.2"}, "203.0.113.1"},
      {"an untrusted address in the last field stops there", {"127.0.0.1/32"}, "127.0.0.1",
       {"203.0.113.1", "198.51.100.2"}, "198.51.100.2"},
      {"0.0.0.0/0 does not trust IPv6", {"0.0.0.0/0"}, "127.0.0.1", {"203.0.113.1, 2001:db8::1"}, "2001:db8::1"},
  };
  for (const Row& row : rows) {
    INFO(row.name);
    HeaderList headers;
    headers.add("Host", "a.test");
    for (const char* f : row.fields) headers.add("x-forwarded-for", f);
    ClientAddressText text;
    CHECK(real_client_address(settings(row.trusted), row.peer, &headers, text) == row.want);
  }
}

TEST_CASE("real IP off, or another header named, leaves the peer", "[real_ip]") {
  HeaderList headers;
  headers.add("X-Forwarded-For", "203.0.113.5");
  ClientAddressText text;
  ClientAddressSettings off = settings({"0.0.0.0/0"});
  off.real_ip = false;
  CHECK(real_client_address(off, "127.0.0.1", &headers, text) == "127.0.0.1");
  CHECK(real_client_address(settings({"0.0.0.0/0"}, "X-Client"), "127.0.0.1", &headers, text) == "127.0.0.1");
  headers.add("x-client", "198.51.100.8");
  CHECK(real_client_address(settings({"0.0.0.0/0"}, "X-Client"), "127.0.0.1", &headers, text) == "198.51.100.8");
  CHECK(real_client_address(settings({"0.0.0.0/0"}), "127.0.0.1", nullptr, text) == "127.0.0.1");
}
