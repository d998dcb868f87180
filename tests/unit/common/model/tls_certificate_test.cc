// Certificate material: PEM chains and keys, the key match, SANs and
// expiry, and the self-signed fallback.
#include <catch2/catch.hpp>

#include <ctime>

#include "common/model/tls_certificate.h"
#include "tests/unit/tls_material_for_test.h"

using namespace sluice;

TEST_CASE("a PEM chain and its key become a leaf, intermediates, a key, SANs and expiry", "[tls]") {
  test::PemPair ca = test::make_pem_for_test({"sluice test CA"});
  test::PemPair leaf = test::make_pem_for_test({"Secure.Example", "*.wild.example"}, true, &ca, 30);
  std::string error;
  auto cert = make_certificate("default/secure-tls", leaf.chain, leaf.key, error);
  REQUIRE(cert);
  CHECK(error.empty());
  CHECK(cert->name == "default/secure-tls");
  CHECK(X509_cmp(cert->leaf(), leaf.cert) == 0);
  REQUIRE(sk_X509_num(cert->chain()) == 1);
  CHECK(X509_cmp(sk_X509_value(cert->chain(), 0), ca.cert) == 0);
  CHECK(X509_check_private_key(cert->leaf(), cert->key()) == 1);
  CHECK(cert->dns_names == std::vector<std::string>{"secure.example", "*.wild.example"});
  const std::int64_t in_30_days = std::time(nullptr) + 30 * 24 * 3600;
  CHECK(cert->not_after > in_30_days - 60);
  CHECK(cert->not_after <= in_30_days + 60);
}

TEST_CASE("a leaf alone has an empty chain", "[tls]") {
  test::PemPair leaf = test::make_pem_for_test({"alone.example"});
  std::string error;
  auto cert = make_certificate("default/alone", leaf.chain, leaf.key, error);
  REQUIRE(cert);
  CHECK(sk_X509_num(cert->chain()) == 0);
}

TEST_CASE("bad PEM is refused with the reason", "[tls]") {
  test::PemPair good = test::make_pem_for_test({"good.example"});
  std::string truncated = good.chain.substr(0, good.chain.size() / 2);
  test::PemPair ca = test::make_pem_for_test({"ca"});
  test::PemPair chained = test::make_pem_for_test({"chained.example"}, false, &ca);
  std::string broken_intermediate = chained.chain.substr(0, chained.chain.size() - 40) + "-----END CERTIFICATE-----\n";
  struct Case {
    const char* name;
    std::string chain, key, error_starts;
  };
  const std::vector<Case> cases = {
      {"not PEM at all", "hello", good.key, "tls.crt is not a PEM certificate chain ("},
      {"empty tls.crt", "", good.key, "tls.crt is not a PEM certificate chain ("},
      {"a truncated leaf", truncated, good.key, "tls.crt is not a PEM certificate chain ("},
      {"a key where the certificate goes", good.key, good.key, "tls.crt is not a PEM certificate chain ("},
      {"a broken intermediate", broken_intermediate, chained.key, "tls.crt is not a PEM certificate chain ("},
      {"not a key", good.chain, "hello", "tls.key is not a PEM private key ("},
      {"a certificate where the key goes", good.chain, good.chain, "tls.key is not a PEM private key ("},
      {"an encrypted key (no passphrase to give)", good.chain, test::pem_of_for_test(good.pkey, "secret"),
       "tls.key is not a PEM private key ("},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    std::string error;
    CHECK_FALSE(make_certificate("default/bad", c.chain, c.key, error));
    CHECK(error.rfind(c.error_starts, 0) == 0);
    CHECK(error.back() == ')');
  }
}

TEST_CASE("a key that does not match the certificate is refused", "[tls]") {
  test::PemPair cert = test::make_pem_for_test({"cert.example"});
  test::PemPair other_ec = test::make_pem_for_test({"other.example"});
  test::PemPair other_rsa = test::make_pem_for_test({"rsa.example"}, true);
  for (const std::string* key : {&other_ec.key, &other_rsa.key}) {
    std::string error;
    CHECK_FALSE(make_certificate("default/mismatch", cert.chain, *key, error));
    CHECK(error.rfind("tls.key does not match the certificate in tls.crt", 0) == 0);
  }
}

TEST_CASE("a self-signed certificate is a valid EC leaf for a year", "[tls]") {
  auto cert = make_self_signed_certificate("sluice-default");
  REQUIRE(cert);
  CHECK(cert->name == "self-signed");
  CHECK(X509_check_private_key(cert->leaf(), cert->key()) == 1);
  CHECK(EVP_PKEY_get_base_id(cert->key()) == EVP_PKEY_EC);
  CHECK(sk_X509_num(cert->chain()) == 0);
  CHECK(X509_check_issued(cert->leaf(), cert->leaf()) == X509_V_OK);
  char cn[64] = {};
  X509_NAME_get_text_by_NID(X509_get_subject_name(cert->leaf()), NID_commonName, cn, sizeof cn);
  CHECK(std::string(cn) == "sluice-default");
  const std::int64_t in_a_year = std::time(nullptr) + 365L * 24 * 3600;
  CHECK(cert->not_after > in_a_year - 60);
  CHECK(cert->not_after <= in_a_year + 60);
  CHECK(make_self_signed_certificate("sluice-default")->leaf() != cert->leaf());  // fresh each time
}
