// Password hashes as nginx's ngx_crypt reads them: each scheme with a hash
// made by another implementation (openssl passwd, Python's crypt, hashlib),
// the right password, a wrong one, and malformed hashes.
#include <catch2/catch.hpp>

#include "proxy/policy/password_hash.h"

using namespace sluice;

TEST_CASE("every hash scheme nginx's auth_basic reads checks the password", "[basic_auth]") {
  struct Case {
    const char* hash;
    const char* password;
    bool matches;
  };
  const Case cases[] = {
      {"$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/", "secret", true},
      {"$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/", "Secret", false},
      {"$apr1$xy$94JxxwMvxqQwA3Iid6OL9.", "secret", true},
      {"$apr1$abcdefgh$L.PT565ESX4Tp2bqNs7Ie.", "", true},
      {"$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ", "secret", false},   // one character short
      {"$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/x", "secret", false},
      {"$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1", "secret", true},
      {"$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1", "secret2", false},
      {"$5$rounds=1000$saltsalt$eKLZU9t9OoPWrqOQsoTIKG0aYkZ5rGOoOQhiIvoSWX2", "secret", true},
      {"$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1",
       "secret", true},
      {"$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq.H91p5hVO1",
       "nope", false},
      {"$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret", true},
      {"$2y$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secret", true},
      {"$2y$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW", "secreT", false},
      {"abNANd1rDfiNc", "secret", true},  // traditional DES crypt
      {"{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "secret", true},
      {"{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "secrets", false},
      {"{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0", "secret", true},
      {"{SSHA}gVK8WC9YyFT1gMsQHTGCgT3sSv5zYWx0", "secret ", false},
      {"{SSHA}!!", "secret", false},
      {"{PLAIN}secret", "secret", true},
      {"{PLAIN}secret", "secre", false},
      {"", "", false},                      // crypt refuses an empty setting
      {"*", "secret", false},
      {"$9$unknown$scheme", "secret", false},
      {"secret", "secret", false},          // a plain password is not a hash
  };
  for (const auto& c : cases) {
    INFO(c.hash << " / " << c.password);
    CHECK(verify_password(c.hash, c.password) == c.matches);
  }
}

TEST_CASE("a password is cut at a NUL, as nginx hands crypt a C string", "[basic_auth]") {
  using namespace std::literals;
  CHECK(verify_password("{PLAIN}secret", "secret\0tail"sv));
  CHECK(verify_password("$apr1$abcdefgh$h9FWgUz3n9YxylKLlR5SQ/", "secret\0x"sv));
}

TEST_CASE("base64 is read as ngx_decode_base64 does", "[basic_auth]") {
  struct Case {
    const char* in;
    long length;  // -1: refused
    const char* out;
  };
  const Case cases[] = {
      {"dTpw", 3, "u:p"},   {"dTpwdw==", 4, "u:pw"}, {"dTpwdw", 4, "u:pw"},
      {"dTpwdw=garbage", 4, "u:pw"},  // everything after the first '=' is ignored
      {"dTpwd", -1, ""},    {"dT pw", -1, ""},      {"dTpw!", -1, ""}, {"", 0, ""},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    unsigned char buf[64];
    const long n = nginx_base64_decode(c.in, buf);
    CHECK(n == c.length);
    if (n >= 0) CHECK(std::string_view(reinterpret_cast<char*>(buf), static_cast<std::size_t>(n)) == c.out);
  }
}
