// Listener TLS policy: ALPN in server preference order, version bounds,
// and the checks that refuse an invalid policy at start-up.
#include <catch2/catch.hpp>

#include <stdexcept>

#include "common/model/tls_certificate.h"
#include "proxy/transport/tls_policy.h"
#include "tests/unit/proxy/transport/tls_handshake_for_test.h"

using namespace sluice;
using test::ClientHello;
using test::handshake_for_test;

namespace {

TlsPolicy with_alpn(std::vector<std::string> alpn) {
  TlsPolicy p;
  p.alpn = std::move(alpn);
  return p;
}

}  // namespace

TEST_CASE("a default listener selects http/1.1 when the client offers it", "[tls]") {
  TlsServer server(make_self_signed_certificate("listener"));
  for (const auto& offered : std::vector<std::vector<std::string>>{{"http/1.1"}, {"h2", "http/1.1"}}) {
    auto n = handshake_for_test(server, nullptr, {.alpn = offered});
    REQUIRE(n.ok);
    CHECK(n.alpn == "http/1.1");
  }
}

TEST_CASE("a default listener selects no ALPN when the client offers only h2", "[tls]") {
  TlsServer server(make_self_signed_certificate("listener"));
  auto n = handshake_for_test(server, nullptr, {.alpn = {"h2"}});
  REQUIRE(n.ok);  // no overlap is not an error: the connection speaks HTTP/1.1
  CHECK(n.alpn.empty());
  auto none = handshake_for_test(server, nullptr, {});
  REQUIRE(none.ok);
  CHECK(none.alpn.empty());
}

TEST_CASE("a listener whose policy lists h2,http/1.1 selects h2 in server preference order", "[tls]") {
  TlsServer server(make_self_signed_certificate("listener"), with_alpn({"h2", "http/1.1"}));
  SECTION("the client prefers http/1.1 but offers h2") {
    auto n = handshake_for_test(server, nullptr, {.alpn = {"http/1.1", "h2"}});
    REQUIRE(n.ok);
    CHECK(n.alpn == "h2");
  }
  SECTION("the client offers only http/1.1") {
    auto n = handshake_for_test(server, nullptr, {.alpn = {"http/1.1"}});
    REQUIRE(n.ok);
    CHECK(n.alpn == "http/1.1");
  }
  SECTION("the client offers neither") {
    auto n = handshake_for_test(server, nullptr, {.alpn = {"spdy/3", "h3"}});
    REQUIRE(n.ok);
    CHECK(n.alpn.empty());
  }
}

TEST_CASE("a listener with an empty ALPN list ignores the client's", "[tls]") {
  TlsServer server(make_self_signed_certificate("listener"), with_alpn({}));
  auto n = handshake_for_test(server, nullptr, {.alpn = {"http/1.1"}});
  REQUIRE(n.ok);
  CHECK(n.alpn.empty());
}

TEST_CASE("TLS 1.1 is refused and TLS 1.2 and 1.3 are served by default", "[tls]") {
  TlsServer server(make_self_signed_certificate("listener"));
  auto old = handshake_for_test(server, nullptr, {.version = TLS1_1_VERSION, .ciphers = "DEFAULT@SECLEVEL=0"});
  CHECK_FALSE(old.ok);
  CHECK(old.server_error == "unsupported protocol");  // the server, not the client, said no
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    auto n = handshake_for_test(server, nullptr, {.alpn = {"http/1.1"}, .version = version});
    REQUIRE(n.ok);
    CHECK(n.version == version);
    CHECK(n.alpn == "http/1.1");
  }
  auto best = handshake_for_test(server, nullptr, {});
  REQUIRE(best.ok);
  CHECK(best.version == TLS1_3_VERSION);
}

TEST_CASE("the policy's version bounds and ciphers are what the listener negotiates", "[tls]") {
  TlsPolicy p;
  p.max_version = TLS1_2_VERSION;
  p.ciphers = "ECDHE-ECDSA-CHACHA20-POLY1305";
  TlsServer server(make_self_signed_certificate("listener"), p);
  auto n = handshake_for_test(server, nullptr, {});
  REQUIRE(n.ok);
  CHECK(n.version == TLS1_2_VERSION);
  CHECK_FALSE(handshake_for_test(server, nullptr, {.version = TLS1_3_VERSION}).ok);
  const ClientHello other_cipher{.version = TLS1_2_VERSION, .ciphers = "ECDHE-ECDSA-AES128-GCM-SHA256"};
  CHECK_FALSE(handshake_for_test(server, nullptr, other_cipher).ok);
}

TEST_CASE("an invalid listener policy is refused at start-up", "[tls]") {
  auto cert = make_self_signed_certificate("listener");
  TlsPolicy empty_name = with_alpn({"h2", ""});
  TlsPolicy long_name = with_alpn({std::string(256, 'x')});
  TlsPolicy reversed;
  reversed.min_version = TLS1_3_VERSION;
  reversed.max_version = TLS1_2_VERSION;
  TlsPolicy no_ciphers;
  no_ciphers.ciphers = "NO-SUCH-CIPHER";
  TlsPolicy no_suites;
  no_suites.ciphersuites = "TLS_NO_SUCH_SUITE";
  for (const TlsPolicy* p : {&empty_name, &long_name, &reversed, &no_ciphers, &no_suites})
    CHECK_THROWS_AS(TlsServer(cert, *p), std::invalid_argument);
  std::string error;
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  CHECK_FALSE(apply_tls_policy(ctx, no_ciphers, error));
  CHECK(error == "no usable TLS 1.2 cipher in \"NO-SUCH-CIPHER\"");
  CHECK(apply_tls_policy(ctx, TlsPolicy{}, error));
  SSL_CTX_free(ctx);
}
