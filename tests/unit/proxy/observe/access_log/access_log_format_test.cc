// Access-log lines: ingress-nginx's upstream format and JSON.
#include <catch2/catch.hpp>

#include "tests/unit/backend_fixture.h"

#include "common/strings.h"

#include <regex>

#include "proxy/observe/access_log/access_log.h"
#include "proxy/observe/access_log/access_log_format.h"

using namespace sluice;
using namespace std::chrono_literals;

namespace {

struct Fixture {
  std::shared_ptr<const RouteTable> table;
  ExchangeRecord r;

  Fixture() {
    RouteTableBuilder b;
    test::add_dev_route_for_test(b, test::service_backend_for_test("default", "dev", "80"));
    table = std::move(b).build(1);

    r.start_wall = std::chrono::system_clock::time_point(std::chrono::seconds(1'760'000'000));  // 2025-10-09T08:53:20Z
    r.start = std::chrono::steady_clock::now();
    r.end = r.start + 1234ms;
    r.client_ip = "10.0.0.1";
    r.request_id = "0123456789abcdef0123456789abcdef";
    r.method = "GET";
    r.target = "/dev/page?q=1";
    r.host = "example.com";
    r.user_agent = "curl/8.0";
    r.http_minor = 1;
    r.status = 200;
    r.upstream_status = 200;
    r.upstream_address = "127.0.0.1:9001";
    r.upstream_start = r.start + 4ms;
    r.request_bytes = 78;
    r.response_bytes = 612;
    r.route = &table->routes()[0];
    r.backend = &table->backends()[0];
  }

  std::string line(AccessLogFormat f) {
    AccessLogFormatter formatter(f);
    std::string out;
    formatter.format(r, out);
    return out;
  }
};

}  // namespace

TEST_CASE("the text format is ingress-nginx's upstream log format plus namespace/ingress/service",
          "[access_log]") {
  Fixture f;
  CHECK(f.line(AccessLogFormat::text) ==
        "10.0.0.1 - - [09/Oct/2025:08:53:21 +0000] \"GET /dev/page?q=1 HTTP/1.1\" 200 612 \"-\" \"curl/8.0\" 78 "
        "1.234 [default-dev-80] [] 127.0.0.1:9001 - 1.230 200 0123456789abcdef0123456789abcdef default/tkng-1/dev\n");
}

TEST_CASE("a 404 and a 502 write dashes for what did not happen", "[access_log]") {
  Fixture f;
  f.r.route = nullptr;
  f.r.backend = nullptr;
  f.r.status = 404;
  f.r.upstream_status = 0;
  f.r.upstream_address = {};
  f.r.upstream_start = {};
  CHECK(f.line(AccessLogFormat::text).ends_with(
      "[] [] - - - - 0123456789abcdef0123456789abcdef -\n"));

  Fixture g;
  g.r.status = 502;
  g.r.upstream_status = 0;
  g.r.error = ProxyError::upstream_connect_failed;
  CHECK(g.line(AccessLogFormat::text).ends_with(
      "[default-dev-80] [] 127.0.0.1:9001 - 1.230 - 0123456789abcdef0123456789abcdef default/tkng-1/dev\n"));
  CHECK(g.line(AccessLogFormat::json).find("\"upstream_status\":null") != std::string::npos);
  CHECK(g.line(AccessLogFormat::json).find("\"error\":\"") != std::string::npos);
}

TEST_CASE("quotes, backslashes and control bytes from clients are escaped as nginx does", "[access_log]") {
  Fixture f;
  f.r.user_agent = "evil\"agent\\\n\x01\xff";
  CHECK(f.line(AccessLogFormat::text).find("\"evil\\x22agent\\x5c\\x0a\\x01\\xff\"") != std::string::npos);
}

TEST_CASE("the JSON format is one object per line with numbers as numbers", "[access_log]") {
  Fixture f;
  CHECK(f.line(AccessLogFormat::json) ==
        "{\"time\":\"2025-10-09T08:53:21.234Z\",\"remote_addr\":\"10.0.0.1\","
        "\"request_id\":\"0123456789abcdef0123456789abcdef\",\"method\":\"GET\",\"uri\":\"/dev/page?q=1\","
        "\"protocol\":\"HTTP/1.1\",\"scheme\":\"http\",\"host\":\"example.com\",\"status\":200,\"bytes_sent\":612,"
        "\"request_length\":78,\"request_time\":1.234,\"http_referer\":null,\"http_user_agent\":\"curl/8.0\","
        "\"upstream_name\":\"default-dev-80\",\"upstream_addr\":\"127.0.0.1:9001\",\"upstream_status\":200,"
        "\"upstream_response_time\":1.230,\"namespace\":\"default\",\"ingress\":\"tkng-1\",\"service\":\"dev\"}\n");
}

TEST_CASE("JSON strings stay valid UTF-8 whatever the client sent", "[access_log]") {
  std::string out;
  append_json_string_body(out, "caf\xc3\xa9 \xe2\x82\xac \xff \xc0\xaf \xed\xa0\x80 \"q\" \x7f");
  CHECK(out == "caf\xc3\xa9 \xe2\x82\xac \\ufffd \\ufffd\\ufffd \\ufffd\\ufffd\\ufffd \\\"q\\\" \\u007f");
}

TEST_CASE("a ring takes whole lines or nothing, and hands them back in order across the wrap",
          "[access_log]") {
  ByteRing ring(16);
  CHECK(ring.push("0123456789"));
  CHECK_FALSE(ring.push("abcdefghij"));  // 10 more do not fit in 6
  std::string_view a, b;
  CHECK(ring.peek(a, b) == 10);
  CHECK((std::string(a) + std::string(b)) == "0123456789");
  ring.consume(10);
  CHECK(ring.push("abcdefghij"));  // wraps at 16
  CHECK(ring.peek(a, b) == 10);
  CHECK(a == "abcdef");
  CHECK(b == "ghij");
  ring.consume(10);
  CHECK(ring.peek(a, b) == 0);
}

TEST_CASE("when the writer falls behind, lines are dropped and counted, never waited for",
          "[access_log]") {
  Fixture f;
  const std::size_t line = f.line(AccessLogFormat::text).size();
  AccessLogSink sink(AccessLogFormat::text, 1024);
  for (int i = 0; i < 20; ++i) sink.log(f.r);  // nobody drains
  CHECK(sink.lines() == 1024 / line);
  CHECK(sink.dropped() == 20 - 1024 / line);
}
