// MessageParser: where it stops, what it records, and which framing it refuses.
#include <catch2/catch.hpp>

#include <string>

#include "proxy/http/message_parser.h"

using namespace sluice;

namespace {

struct Parsed {
  ParseStatus status;
  ParseError error;
  std::size_t consumed;
};

Parsed parse_request(MessageParser& p, const std::string& bytes) {
  p.start_message();
  std::size_t consumed = 0;
  auto status = p.execute(bytes.data(), 0, bytes.size(), consumed);
  return {status, p.error(), consumed};
}

// Parses through the body too, as the proxy does when it forwards one.
Parsed parse_whole_request(const std::string& bytes) {
  MessageParser p(MessageParser::Kind::request);
  p.set_limits(1024, 0);
  auto r = parse_request(p, bytes);
  if (r.status != ParseStatus::head_complete) return r;
  std::size_t consumed = 0;
  auto status = p.execute(bytes.data(), r.consumed, bytes.size(), consumed);
  return {status, p.error(), r.consumed + consumed};
}

Parsed parse_request(const std::string& bytes) {
  MessageParser p(MessageParser::Kind::request);
  p.set_limits(1024, 0);
  return parse_request(p, bytes);
}

}  // namespace

TEST_CASE("a request without a body stops at its end with the head recorded", "[http]") {
  MessageParser p(MessageParser::Kind::request);
  std::string req = "GET /a?b HTTP/1.1\r\nHost: Foo\r\nX-Request-ID: abc \r\n\r\nGET /next";
  auto r = parse_request(p, req);
  REQUIRE(r.status == ParseStatus::message_complete);
  CHECK(r.consumed == req.find("GET /next"));
  const auto& h = p.head();
  CHECK(h.target.in(req.data()) == "/a?b");
  REQUIRE(h.headers.size() == 2);
  CHECK(h.headers[h.host].value.in(req.data()) == "Foo");
  CHECK(h.headers[h.request_id].value.in(req.data()) == "abc");
  CHECK_FALSE(h.has_body);
}

TEST_CASE("a request with a body stops after the head, then after the body", "[http]") {
  MessageParser p(MessageParser::Kind::request);
  std::string req = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n";
  auto r = parse_request(p, req);
  REQUIRE(r.status == ParseStatus::head_complete);
  CHECK(p.head().chunked);
  std::size_t consumed = 0;
  auto status = p.execute(req.data(), r.consumed, req.size(), consumed);
  CHECK(status == ParseStatus::message_complete);
  CHECK(r.consumed + consumed == req.size());
  CHECK(p.body_bytes() == 3);
}

TEST_CASE("framing attacks and malformed requests are refused", "[http]") {
  struct Case {
    const char* name;
    std::string bytes;
    ParseError expected;
  };
  const Case cases[] = {
      {"CL and TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", ParseError::bad_request},
      {"two differing CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", ParseError::bad_request},
      {"malformed CL", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3x\r\n\r\n", ParseError::bad_request},
      {"bad chunk size", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", ParseError::bad_request},
      {"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", ParseError::bad_request},
      {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", ParseError::bad_request},
      {"space before colon, unknown name", "GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n", ParseError::bad_request},
      {"NUL in value", std::string("GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", 38), ParseError::bad_request},
      {"bare CR in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", ParseError::bad_request},
      {"HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", ParseError::bad_version},
      {"two Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", ParseError::bad_request},
      {"three Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\nhost: c\r\n\r\n", ParseError::bad_request},
      {"obs-fold inside a long value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 0123456789\r\n cdefghijklmnop\r\n\r\n", ParseError::bad_request},
      {"obs-fold after a long value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: 0123456789abcdef\r\n\tc\r\n\r\n", ParseError::bad_request},
      {"space inside a name", "GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n", ParseError::bad_request},
      {"tab inside a name", "GET / HTTP/1.1\r\nHost: a\r\nX\tA: b\r\n\r\n", ParseError::bad_request},
      {"obs-fold after a bare LF", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\n c\r\n\r\n", ParseError::bad_request},
      {"bare LF in value", "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\nc: d\r\n\r\n", ParseError::bad_request},
      {"tab before colon", "GET / HTTP/1.1\r\nHost: a\r\nX-A\t: b\r\n\r\n", ParseError::bad_request},
      {"no Host in 1.1", "GET / HTTP/1.1\r\nX: y\r\n\r\n", ParseError::bad_request},
      {"garbage", "HELLO\r\n\r\n", ParseError::bad_request},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      auto r = parse_whole_request(c.bytes);
      CHECK(r.status == ParseStatus::error);
      CHECK(r.error == c.expected);
    }
  }
}

TEST_CASE("a chunk size line ending in a bare LF is refused", "[http]") {
  MessageParser p(MessageParser::Kind::request);
  std::string req = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n";
  auto r = parse_request(p, req);
  REQUIRE(r.status == ParseStatus::head_complete);
  std::size_t consumed = 0;
  CHECK(p.execute(req.data(), r.consumed, req.size(), consumed) == ParseStatus::error);
}

TEST_CASE("a header block over the limit is 431", "[http]") {
  auto r = parse_request("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + std::string(2000, 'x') + "\r\n\r\n");
  CHECK(r.status == ParseStatus::error);
  CHECK(r.error == ParseError::header_too_large);
}

TEST_CASE("responses to HEAD and 204 have no body; others stop after the head", "[http]") {
  MessageParser p(MessageParser::Kind::response);
  std::string resp = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n";
  p.start_message();
  p.set_response_to_head(true);
  std::size_t consumed = 0;
  CHECK(p.execute(resp.data(), 0, resp.size(), consumed) == ParseStatus::message_complete);
  CHECK(consumed == resp.size());

  std::string body = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  p.start_message();
  p.set_response_to_head(false);
  REQUIRE(p.execute(body.data(), 0, body.size(), consumed) == ParseStatus::head_complete);
  CHECK(p.head().status == 200);
  std::size_t rest = 0;
  CHECK(p.execute(body.data(), consumed, body.size(), rest) == ParseStatus::message_complete);
  CHECK(consumed + rest == body.size());

  std::string no_content = "HTTP/1.1 204 No Content\r\n\r\n";
  p.start_message();
  CHECK(p.execute(no_content.data(), 0, no_content.size(), consumed) == ParseStatus::message_complete);
}

TEST_CASE("each field is classified once, whatever the case of its name", "[http]") {
  MessageParser p(MessageParser::Kind::request);
  std::string req = "GET / HTTP/1.1\r\nHOST: a\r\nx-forwarded-FOR: 1.2.3.4\r\nTe: trailers\r\n"
                    "X-Other: 1\r\nProxy-Connection: x\r\nuser-agent: curl\r\nX-Forwarded-Port: 1\r\n\r\n";
  REQUIRE(parse_request(p, req).status == ParseStatus::message_complete);
  const auto& h = p.head();
  REQUIRE(h.headers.size() == 7);
  CHECK(h.headers[0].kind == HeaderKind::host);
  CHECK(h.headers[1].kind == HeaderKind::x_forwarded_for);
  CHECK(h.headers[2].kind == HeaderKind::te);
  CHECK(h.headers[3].kind == HeaderKind::other);
  CHECK(h.headers[4].kind == HeaderKind::proxy_connection);
  CHECK(h.headers[5].kind == HeaderKind::user_agent);
  CHECK(h.headers[6].kind == HeaderKind::x_forwarded_port);
  CHECK(h.host == 0);
  CHECK(h.forwarded_for == 1);
  CHECK(h.user_agent == 5);
}

TEST_CASE("names that only resemble known fields are end-to-end", "[http]") {
  for (const char* name : {"hosts", "x-real-ipv6", "upgrades", "x-forwarded-prot", "t", "connectionx", "keep_alive"})
    CHECK(classify_header(name) == HeaderKind::other);
  CHECK(is_hop_by_hop(classify_header("Keep-Alive")));
  CHECK(is_hop_by_hop(classify_header("UPGRADE")));
  CHECK(is_forwarding(classify_header("X-Real-Ip")));
  CHECK_FALSE(is_forwarding(classify_header("X-Request-ID")));
}
