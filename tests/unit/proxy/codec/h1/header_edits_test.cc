// Header edits as the HTTP/1 encoder applies them while it writes a head:
// set replaces, add appends, remove drops; framing and hop-by-hop fields
// are the codec's and never edited.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "proxy/codec/h1/header_rewrite.h"
#include "proxy/codec/h1/message_parser.h"

using namespace sluice;

namespace {

std::string response_with(const std::string& response, const FieldEdits& edits) {
  MessageParser p(MessageParser::Kind::response);
  p.start_message();
  std::size_t consumed = 0;
  REQUIRE(p.execute(response.data(), 0, response.size(), consumed) != ParseStatus::error);
  std::string out;
  build_downstream_head(out, p.head(), response.data(), p.head().reason.in(response.data()), {}, edits);
  return out;
}

std::string request_with(const std::string& request, const FieldEdits& edits) {
  MessageParser p(MessageParser::Kind::request);
  p.start_message();
  std::size_t consumed = 0;
  REQUIRE(p.execute(request.data(), 0, request.size(), consumed) == ParseStatus::message_complete);
  ForwardFacts facts{"192.0.2.1", "http", "80", "id", p.head().target.in(request.data())};
  std::string out;
  build_upstream_head(out, p.head(), request.data(), facts, edits);
  return out;
}

const std::string backend_response =
    "HTTP/1.1 200 OK\r\nServer: gunicorn\r\nX-Frame-Options: ALLOW\r\nContent-Length: 2\r\n"
    "x-frame-options: again\r\nVary: a\r\n\r\nok";

}  // namespace

TEST_CASE("response edits: set replaces every field of the name, add appends, remove drops", "[http][edits]") {
  const std::vector<HeaderEdit> route{{HeaderEditOp::set, "X-Frame-Options", "DENY"},
                                      {HeaderEditOp::remove, "server", ""},
                                      {HeaderEditOp::add, "Vary", "b"}};
  FieldEdits edits;
  edits.reset(route);
  CHECK(response_with(backend_response, edits) ==
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nVary: a\r\nX-Frame-Options: DENY\r\nVary: b\r\n\r\n");
}

TEST_CASE("no edits write the head exactly as before", "[http][edits]") {
  FieldEdits edits;
  CHECK(response_with(backend_response, edits) == response_with(backend_response, no_field_edits));
  CHECK(response_with(backend_response, edits) ==
        "HTTP/1.1 200 OK\r\nServer: gunicorn\r\nX-Frame-Options: ALLOW\r\nContent-Length: 2\r\n"
        "x-frame-options: again\r\nVary: a\r\n\r\n");
}

TEST_CASE("edits never touch framing or hop-by-hop fields", "[http][edits]") {
  const std::vector<HeaderEdit> route{{HeaderEditOp::remove, "Content-Length", ""},
                                      {HeaderEditOp::set, "Transfer-Encoding", "chunked"},
                                      {HeaderEditOp::add, "Connection", "keep-alive"},
                                      {HeaderEditOp::set, "Keep-Alive", "timeout=1"}};
  FieldEdits edits;
  edits.reset(route);
  CHECK(response_with(backend_response, edits) == response_with(backend_response, no_field_edits));
}

TEST_CASE("request edits apply to the client's fields, Host included, before the forwarding fields' end",
          "[http][edits]") {
  const std::vector<HeaderEdit> route{{HeaderEditOp::set, "Host", "internal.svc"},
                                      {HeaderEditOp::remove, "Cookie", ""},
                                      {HeaderEditOp::add, "X-Env", "prod"}};
  FieldEdits edits;
  edits.reset(route);
  const std::string out = request_with("GET /a HTTP/1.1\r\nHost: shop.test\r\nCookie: s=1\r\nAccept: */*\r\n\r\n", edits);
  CHECK(out ==
        "GET /a HTTP/1.1\r\nAccept: */*\r\nX-Forwarded-For: 192.0.2.1\r\nX-Real-IP: 192.0.2.1\r\n"
        "X-Forwarded-Proto: http\r\nX-Forwarded-Host: shop.test\r\nX-Forwarded-Port: 80\r\n"
        "Host: internal.svc\r\nX-Env: prod\r\n\r\n");
}

TEST_CASE("computed edits come after the route's and obey the same rules", "[http][edits]") {
  const std::vector<HeaderEdit> route{{HeaderEditOp::add, "X-A", "1"}};
  FieldEdits edits;
  edits.reset(route);
  edits.add(HeaderEditOp::set, "Strict-Transport-Security", "max-age=1");
  for (std::size_t i = 0; i < FieldEdits::max_computed + 2; ++i) edits.add(HeaderEditOp::add, "X-Over", "x");
  const std::string out = response_with("HTTP/1.1 204 No Content\r\nStrict-Transport-Security: max-age=9\r\n\r\n", edits);
  CHECK(out == "HTTP/1.1 204 No Content\r\nX-A: 1\r\nStrict-Transport-Security: max-age=1\r\nX-Over: x\r\n"
               "X-Over: x\r\nX-Over: x\r\n\r\n");
}
