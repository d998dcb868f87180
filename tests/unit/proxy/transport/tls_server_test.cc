// TlsServer: certificates by SNI from the pinned snapshot, installed on the
// handshake itself so the listener's policy decides ALPN and versions
// whatever certificate was chosen; session tickets across choices.
#include <catch2/catch.hpp>

#include "common/model/tls_certificate.h"
#include "tests/unit/proxy/transport/tls_handshake_for_test.h"
#include "tests/unit/tls_material_for_test.h"

using namespace sluice;
using test::handshake_for_test;

namespace {

std::shared_ptr<const TlsCertificate> certificate_for_test(const std::vector<std::string>& names, bool rsa) {
  test::PemPair pem = test::make_pem_for_test(names, rsa);
  std::string error;
  auto cert = make_certificate("default/" + names.front(), pem.chain, pem.key, error);
  REQUIRE(cert);
  return cert;
}

// An EC certificate for the exact host, an RSA one for the wildcard, an EC
// default; the listener's fallback is another EC certificate.
struct Certificates {
  std::shared_ptr<const TlsCertificate> exact = certificate_for_test({"secure.example"}, false);
  std::shared_ptr<const TlsCertificate> wildcard = certificate_for_test({"*.wild.example"}, true);
  std::shared_ptr<const TlsCertificate> fallback_default = certificate_for_test({"default.example"}, false);
  std::shared_ptr<const TlsCertificate> fallback = make_self_signed_certificate("sluice-default");

  std::shared_ptr<const RouteTable> table(bool with_default) const {
    RouteTableBuilder b;
    b.add_certificate("secure.example", exact);
    b.add_certificate("*.wild.example", wildcard);
    if (with_default) b.set_default_certificate(fallback_default);
    return std::move(b).build(1);
  }
};

// A TLS 1.3 handshake to secure.example, resuming `session` when given.
test::Negotiated secure_tls13(TlsServer& server, const RouteTable& table, SSL_SESSION* session = nullptr) {
  return handshake_for_test(server, &table, {.sni = "secure.example", .version = TLS1_3_VERSION, .session = session});
}

bool served(const test::Negotiated& n, const TlsCertificate& cert) {
  return n.ok && n.peer && X509_cmp(n.peer, cert.leaf()) == 0;
}

}  // namespace

TEST_CASE("SNI picks the host's certificate, the wildcard's, the snapshot's default, then the fallback", "[tls]") {
  Certificates c;
  TlsServer server(c.fallback);
  auto table = c.table(true);
  CHECK(served(handshake_for_test(server, table.get(), {.sni = "secure.example"}), *c.exact));
  CHECK(served(handshake_for_test(server, table.get(), {.sni = "SECURE.example"}), *c.exact));
  CHECK(served(handshake_for_test(server, table.get(), {.sni = "a.wild.example"}), *c.wildcard));
  CHECK(served(handshake_for_test(server, table.get(), {.sni = "unknown.example"}), *c.fallback_default));
  CHECK(served(handshake_for_test(server, table.get(), {}), *c.fallback_default));
  auto without_default = c.table(false);
  CHECK(served(handshake_for_test(server, without_default.get(), {.sni = "unknown.example"}), *c.fallback));
  CHECK(served(handshake_for_test(server, nullptr, {.sni = "secure.example"}), *c.fallback));
}

TEST_CASE("an RSA certificate chosen by SNI replaces the listener's EC fallback, not sits beside it", "[tls]") {
  Certificates c;
  TlsServer server(c.fallback);
  auto table = c.table(false);
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    auto n = handshake_for_test(server, table.get(), {.sni = "x.wild.example", .version = version});
    CHECK(served(n, *c.wildcard));
    CHECK(EVP_PKEY_get_base_id(X509_get0_pubkey(n.peer)) == EVP_PKEY_RSA);
  }
}

TEST_CASE("the chosen certificate does not change the ALPN or version outcome", "[tls]") {
  Certificates c;
  TlsPolicy h2;
  h2.alpn = {"h2", "http/1.1"};
  for (const TlsPolicy& policy : {TlsPolicy{}, h2}) {
    TlsServer server(c.fallback, policy);
    auto table = c.table(true);
    const std::string expected = policy.alpn.front();
    for (const char* sni : {"secure.example", "a.wild.example", "unknown.example", ""}) {
      for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
        auto n = handshake_for_test(server, table.get(), {.sni = sni, .alpn = {"http/1.1", "h2"}, .version = version});
        REQUIRE(n.ok);
        CHECK(n.alpn == expected);
        CHECK(n.version == version);
      }
      auto only_h2 = handshake_for_test(server, table.get(), {.sni = sni, .alpn = {"h2"}});
      REQUIRE(only_h2.ok);
      CHECK(only_h2.alpn == (policy.alpn.front() == "h2" ? "h2" : ""));
      const test::ClientHello tls11{.sni = sni, .version = TLS1_1_VERSION, .ciphers = "DEFAULT@SECLEVEL=0"};
      CHECK_FALSE(handshake_for_test(server, table.get(), tls11).ok);
    }
  }
}

TEST_CASE("sessions resume with tickets on TLS 1.2 and 1.3 whichever certificate SNI chose", "[tls]") {
  Certificates c;
  TlsServer server(c.fallback);
  auto table = c.table(true);
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    for (const char* sni : {"secure.example", "a.wild.example", ""}) {
      auto first = handshake_for_test(server, table.get(), {.sni = sni, .version = version});
      REQUIRE(first.ok);
      REQUIRE(first.session);
      CHECK_FALSE(first.reused);
      auto again = handshake_for_test(server, table.get(), {.sni = sni, .version = version, .session = first.session});
      REQUIRE(again.ok);
      CHECK(again.reused);
      CHECK(X509_cmp(again.peer, first.peer) == 0);
    }
  }
}

TEST_CASE("a ticket outlives one key rotation but not three", "[tls]") {
  Certificates c;
  TlsServer server(c.fallback);
  auto table = c.table(true);
  auto first = secure_tls13(server, *table);
  REQUIRE(first.session);
  server.rotate_ticket_keys();
  CHECK(secure_tls13(server, *table, first.session).reused);
  server.rotate_ticket_keys();
  server.rotate_ticket_keys();
  auto late = secure_tls13(server, *table, first.session);
  REQUIRE(late.ok);
  CHECK_FALSE(late.reused);
}

TEST_CASE("two listeners keep their own policies and ticket keys", "[tls]") {
  Certificates c;
  TlsPolicy h2;
  h2.alpn = {"h2", "http/1.1"};
  TlsServer plain(c.fallback), modern(c.fallback, h2);
  auto table = c.table(true);
  const test::ClientHello both{.sni = "secure.example", .alpn = {"h2", "http/1.1"}};
  CHECK(handshake_for_test(plain, table.get(), both).alpn == "http/1.1");
  CHECK(handshake_for_test(modern, table.get(), both).alpn == "h2");
  auto on_plain = secure_tls13(plain, *table);
  REQUIRE(on_plain.session);
  CHECK_FALSE(secure_tls13(modern, *table, on_plain.session).reused);
  CHECK(secure_tls13(plain, *table, on_plain.session).reused);
}
