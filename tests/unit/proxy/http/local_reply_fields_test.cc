// Local replies with the phases' own fields: a 401's WWW-Authenticate, a
// CORS preflight's 204 (no body), and the CORS fields on a redirect.
#include <catch2/catch.hpp>

#include "proxy/http/field_edits.h"
#include "proxy/http/local_reply.h"
#include "proxy/http/phase.h"

using namespace sluice;

TEST_CASE("a 401 carries the fields the phases computed", "[local_reply][basic_auth]") {
  FieldEdits fields;
  fields.add(HeaderEditOp::set, "WWW-Authenticate", "Basic realm=\"r\"");
  std::string out;
  build_local_reply(out, ProxyError::unauthorized, "id1", {}, false, &fields);
  CHECK(out.starts_with("HTTP/1.1 401 Unauthorized\r\n"));
  CHECK(out.find("\r\nWWW-Authenticate: Basic realm=\"r\"\r\n") != std::string::npos);
  CHECK(out.find("\r\n\r\n401 Unauthorized: ") != std::string::npos);
}

TEST_CASE("a CORS preflight is a 204 without a body, with the CORS fields", "[local_reply][cors]") {
  const std::vector<HeaderEdit> cors = {{HeaderEditOp::set, "Access-Control-Max-Age", "600"}};
  FieldEdits fields;
  fields.add_list(cors);
  fields.add(HeaderEditOp::set, "Access-Control-Allow-Origin", "https://a.test");
  std::string out;
  build_local_reply(out, ProxyError::cors_preflight, "id2", {}, false, &fields);
  CHECK(out.starts_with("HTTP/1.1 204 No Content\r\n"));
  CHECK(out.find("\r\nContent-Type: text/plain charset=UTF-8\r\n") != std::string::npos);
  CHECK(out.find("\r\nAccess-Control-Max-Age: 600\r\n") != std::string::npos);
  CHECK(out.find("\r\nAccess-Control-Allow-Origin: https://a.test\r\n") != std::string::npos);
  CHECK(out.find("\r\nContent-Length: 0\r\n") != std::string::npos);
  CHECK(out.ends_with("\r\n\r\n"));  // nothing after the head
}

TEST_CASE("a redirect carries the CORS fields too", "[local_reply][cors]") {
  FieldEdits fields;
  fields.add(HeaderEditOp::set, "Access-Control-Allow-Origin", "*");
  std::string out;
  build_redirect(out, RedirectVerdict{308, "https", "a.test", "/x"}, "id3", false, &fields);
  CHECK(out.starts_with("HTTP/1.1 308 Permanent Redirect\r\n"));
  CHECK(out.find("\r\nLocation: https://a.test/x\r\n") != std::string::npos);
  CHECK(out.find("\r\nAccess-Control-Allow-Origin: *\r\n") != std::string::npos);
  std::string plain;
  build_redirect(plain, RedirectVerdict{308, "https", "a.test", "/x"}, "id3", false);
  CHECK(plain.find("Access-Control") == std::string::npos);
}
