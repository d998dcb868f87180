// Header rewriting: what reaches the backend and what reaches the client.
#include <catch2/catch.hpp>

#include <string>

#include "proxy/codec/h1/header_rewrite.h"
#include "proxy/codec/h1/message_parser.h"

using namespace sluice;

namespace {

std::string upstream_head_for(const std::string& request, ForwardFacts facts) {
  MessageParser p(MessageParser::Kind::request);
  p.start_message();
  std::size_t consumed = 0;
  REQUIRE(p.execute(request.data(), 0, request.size(), consumed) == ParseStatus::message_complete);
  std::string out;
  facts.target = p.head().target.in(request.data());
  build_upstream_head(out, p.head(), request.data(), facts);
  return out;
}

}  // namespace

TEST_CASE("hop-by-hop fields and those named in Connection never reach the backend", "[http]") {
  std::string out = upstream_head_for(
      "GET /a HTTP/1.1\r\nHost: example.com\r\nConnection: keep-alive, X-Secret\r\n"
      "Keep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Connection: x\r\nX-Secret: 1\r\n"
      "X-Kept: yes\r\nx-MiXeD-case: Value\r\n\r\n",
      {"10.0.0.1", "http", "8080", "abc", {}, {}, false, false});
  CHECK(out.starts_with("GET /a HTTP/1.1\r\nHost: example.com\r\nX-Kept: yes\r\nx-MiXeD-case: Value\r\n"));
  for (const char* gone : {"Connection", "Keep-Alive", "TE:", "Proxy-Connection", "X-Secret"})
    CHECK(out.find(gone) == std::string::npos);
}

TEST_CASE("forwarding fields are set by the proxy and X-Forwarded-For is appended", "[http]") {
  std::string out = upstream_head_for(
      "GET / HTTP/1.1\r\nHost: h:8080\r\nX-Forwarded-For: 1.2.3.4\r\nX-Real-IP: spoofed\r\n"
      "X-Forwarded-For: 5.6.7.8\r\n"
      "X-Forwarded-Proto: https\r\n\r\n",
      {"10.0.0.1", "http", "8080", "0123456789abcdef0123456789abcdef", {}, {}, true, false});
  CHECK(out.find("X-Forwarded-For: 1.2.3.4, 5.6.7.8, 10.0.0.1\r\n") != std::string::npos);
  CHECK(out.find("X-Real-IP: 10.0.0.1\r\n") != std::string::npos);
  CHECK(out.find("spoofed") == std::string::npos);
  CHECK(out.find("X-Forwarded-Proto: http\r\n") != std::string::npos);
  CHECK(out.find("X-Forwarded-Host: h:8080\r\n") != std::string::npos);
  CHECK(out.find("X-Forwarded-Port: 8080\r\n") != std::string::npos);
  CHECK(out.find("X-Request-ID: 0123456789abcdef0123456789abcdef\r\n") != std::string::npos);
  CHECK(out.ends_with("\r\n\r\n"));
}

TEST_CASE("an upgrade request keeps Upgrade and says Connection: upgrade", "[http]") {
  std::string out = upstream_head_for(
      "GET /ws HTTP/1.1\r\nHost: h\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n",
      {"10.0.0.1", "http", "80", "id", {}, {}, false, true});
  CHECK(out.find("Upgrade: websocket\r\nConnection: upgrade\r\n") != std::string::npos);
}

TEST_CASE("the response head drops hop-by-hop fields and states the connection's fate", "[http]") {
  std::string response = "HTTP/1.1 200 Fine\r\nConnection: keep-alive\r\nKeep-Alive: timeout=4\r\n"
                         "Content-Length: 2\r\nSet-Cookie: a=b\r\n\r\nok";
  MessageParser p(MessageParser::Kind::response);
  p.start_message();
  std::size_t consumed = 0;
  REQUIRE(p.execute(response.data(), 0, response.size(), consumed) == ParseStatus::head_complete);
  std::string out;
  build_downstream_head(out, p.head(), response.data(), p.head().reason.in(response.data()),
                        {true, false, false});
  CHECK(out == "HTTP/1.1 200 Fine\r\nContent-Length: 2\r\nSet-Cookie: a=b\r\nConnection: close\r\n\r\n");
}

TEST_CASE("the upstream head is exactly the request's end-to-end fields plus the forwarding fields", "[http]") {
  std::string out = upstream_head_for(
      "POST /p?q=1 HTTP/1.1\r\nHost: h\r\nX-Forwarded-Host: evil\r\nContent-Length: 0\r\n"
      "X-Request-ID: given\r\nX-Forwarded-Port: 1\r\n\r\n",
      {"10.0.0.1", "https", "443", "given", {}, {}, false, false});
  CHECK(out == "POST /p?q=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\nX-Request-ID: given\r\n"
               "X-Forwarded-For: 10.0.0.1\r\nX-Real-IP: 10.0.0.1\r\nX-Forwarded-Proto: https\r\n"
               "X-Forwarded-Host: h\r\nX-Forwarded-Port: 443\r\n\r\n");
}

TEST_CASE("an HTTP/1.0 request goes upstream as HTTP/1.0 and its keep-alive is answered", "[http]") {
  std::string out = upstream_head_for("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
                                      {"::1", "http", "80", "r", {}, {}, true, false});
  CHECK(out.starts_with("GET / HTTP/1.0\r\nX-Forwarded-For: ::1\r\n"));

  std::string response = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
  MessageParser p(MessageParser::Kind::response);
  p.start_message();
  std::size_t consumed = 0;
  REQUIRE(p.execute(response.data(), 0, response.size(), consumed) != ParseStatus::error);
  std::string head;
  build_downstream_head(head, p.head(), response.data(), p.head().reason.in(response.data()),
                        {false, true, false});
  CHECK(head == "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n");
}

TEST_CASE("fields are rewritten to one form, whatever whitespace they came with", "[http]") {
  // Extra and trailing spaces, a tab after the colon, an empty value, and
  // dropped fields between kept ones.
  std::string out = upstream_head_for(
      "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB:  2 \r\nC: 3\r\nD: 4\r\nConnection: x-gone\r\nX-Gone: g\r\n"
      "E: 5\r\nF:\t6\r\nG:\r\nH: 7\r\nTE: trailers\r\nI: 8\r\nJ: 9 9\r\n\r\n",
      {"10.0.0.1", "http", "80", "id", {}, {}, false, false});
  CHECK(out.starts_with("GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\nF: 6\r\nG: \r\n"
                        "H: 7\r\nI: 8\r\nJ: 9 9\r\nX-Forwarded-For: 10.0.0.1\r\n"));
}

TEST_CASE("the same fields come out the same from both parsers", "[http]") {
  // The first byte alone sends the head through llhttp instead of the
  // common path; the rewritten head must not tell the difference.
  const std::string request = "GET /x HTTP/1.1\r\nHost: h\r\nX-A:  a\r\nX-B: b\r\nX-C: c \r\n\r\n";
  MessageParser p(MessageParser::Kind::request);
  p.start_message();
  std::size_t first = 0;
  std::size_t rest = 0;
  REQUIRE(p.execute(request.data(), 0, 1, first) == ParseStatus::need_more);
  REQUIRE(p.execute(request.data(), first, request.size(), rest) == ParseStatus::message_complete);
  ForwardFacts facts{"10.0.0.1", "http", "80", "id", "/x", {}, false, false};
  std::string via_llhttp;
  build_upstream_head(via_llhttp, p.head(), request.data(), facts);
  CHECK(via_llhttp == upstream_head_for(request, facts));
  CHECK(via_llhttp.starts_with("GET /x HTTP/1.1\r\nHost: h\r\nX-A: a\r\nX-B: b\r\nX-C: c\r\n"));
}

TEST_CASE("request fields with underscores are dropped unless allowed, as nginx does", "[http]") {
  const std::string request = "GET / HTTP/1.1\r\nHost: a\r\nContent_Length: 5\r\nX_Custom: 1\r\nX-Kept: 2\r\n\r\n";
  ForwardFacts facts{"10.0.0.1", "http", "80", "id", {}, {}, false, false};
  std::string dropped = upstream_head_for(request, facts);
  CHECK(dropped.find("Content_Length") == std::string::npos);
  CHECK(dropped.find("X_Custom") == std::string::npos);
  CHECK(dropped.find("X-Kept: 2\r\n") != std::string::npos);
  facts.underscores = true;
  std::string kept = upstream_head_for(request, facts);
  CHECK(kept.find("Content_Length: 5\r\n") != std::string::npos);
  CHECK(kept.find("X_Custom: 1\r\n") != std::string::npos);
}
