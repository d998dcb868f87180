// HeaderList: borrowed from a read buffer, or owning its bytes.
#include <catch2/catch.hpp>

#include <string>

#include "proxy/codec/h1/message_parser.h"
#include "proxy/http/header_list.h"

using namespace sluice;

TEST_CASE("a borrowed header list views the buffer; an owned one survives its reuse", "[http][headers]") {
  std::string buffer = "GET / HTTP/1.1\r\nHost: shop.test\r\nUser-Agent: curl\r\nX-Trace: 7\r\n\r\n";
  MessageParser p(MessageParser::Kind::request);
  p.start_message();
  std::size_t consumed = 0;
  REQUIRE(p.execute(buffer.data(), 0, buffer.size(), consumed) == ParseStatus::message_complete);

  HeaderList list;
  list.borrow(p.head().headers, buffer.data());
  CHECK_FALSE(list.owns());
  REQUIRE(list.size() == 3);
  CHECK(list.name(0) == "Host");
  CHECK(list.value(1) == "curl");
  CHECK(list.find(HeaderKind::host) == "shop.test");
  CHECK(list.value(0).data() == buffer.data() + buffer.find("shop.test"));  // no copy

  list.own();
  std::fill(buffer.begin(), buffer.end(), 'x');  // the connection reads the next request into it
  CHECK(list.owns());
  REQUIRE(list.size() == 3);
  CHECK(list.value(0) == "shop.test");
  CHECK(list.name(2) == "X-Trace");
  CHECK(list.value(2) == "7");
  CHECK(list.find(HeaderKind::user_agent) == "curl");
}

TEST_CASE("fields added to a list are owned and classified", "[http][headers]") {
  HeaderList list;
  list.add(":authority-free", "1");  // as an HTTP/2 codec would add decoded fields
  list.add("host", "a.test");
  list.add("X-Real-IP", "192.0.2.1");
  CHECK(list.owns());
  REQUIRE(list.size() == 3);
  CHECK(list.find(HeaderKind::host) == "a.test");
  CHECK(list.kind(2) == HeaderKind::x_real_ip);
  list.clear();
  CHECK(list.size() == 0);
}
