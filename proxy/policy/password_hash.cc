// Password hashes; see password_hash.h.
#include "proxy/policy/password_hash.h"

#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace sluice {
namespace {

constexpr std::size_t max_password_bytes = 1024;
constexpr std::size_t max_hash_bytes = 512;

bool same(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// One digest context per thread, reinitialized per digest: no allocation
// per password once the thread has checked one.
class Digest {
 public:
  explicit Digest(const EVP_MD* md) : md_(md) { EVP_DigestInit_ex(ctx(), md_, nullptr); }
  void update(std::string_view s) { EVP_DigestUpdate(ctx(), s.data(), s.size()); }
  void update(const unsigned char* p, std::size_t n) { EVP_DigestUpdate(ctx(), p, n); }
  unsigned final(unsigned char* out) {
    unsigned n = 0;
    EVP_DigestFinal_ex(ctx(), out, &n);
    return n;
  }

 private:
  static EVP_MD_CTX* ctx() {
    thread_local struct Holder {
      EVP_MD_CTX* p = EVP_MD_CTX_new();
      ~Holder() { EVP_MD_CTX_free(p); }
    } holder;
    return holder.p;
  }
  const EVP_MD* md_;
};

constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Standard base64 with padding into `out`; returns the length.
std::size_t base64_encode(const unsigned char* in, std::size_t n, char* out) {
  std::size_t o = 0;
  for (std::size_t i = 0; i < n; i += 3) {
    const std::uint32_t v = (std::uint32_t{in[i]} << 16) | (i + 1 < n ? std::uint32_t{in[i + 1]} << 8 : 0) |
                            (i + 2 < n ? std::uint32_t{in[i + 2]} : 0);
    out[o++] = b64[(v >> 18) & 63];
    out[o++] = b64[(v >> 12) & 63];
    out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? b64[v & 63] : '=';
  }
  return o;
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

}  // namespace

long nginx_base64_decode(std::string_view in, unsigned char* out) {
  std::size_t len = 0;
  while (len < in.size() && in[len] != '=') {
    if (b64_value(in[len]) < 0) return -1;
    ++len;
  }
  if (len % 4 == 1) return -1;
  std::size_t o = 0;
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    acc = (acc << 6) | static_cast<std::uint32_t>(b64_value(in[i]));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = static_cast<unsigned char>(acc >> bits);
    }
  }
  return static_cast<long>(o);
}

namespace {

// "{SHA}" base64(SHA-1(password)).
bool sha_matches(std::string_view hash, std::string_view password) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  Digest d(EVP_sha1());
  d.update(password);
  const unsigned n = d.final(digest);
  char text[64];
  return same(hash.substr(5), {text, base64_encode(digest, n, text)});
}

// "{SSHA}" base64(SHA-1(password salt) salt); an undecodable value has no
// salt (ngx_crypt_ssha), and then matches nothing.
bool ssha_matches(std::string_view hash, std::string_view password) {
  const std::string_view encoded = hash.substr(6);
  unsigned char decoded[max_hash_bytes];
  long n = nginx_base64_decode(encoded, decoded);
  if (n < 20) n = 20;
  Digest d(EVP_sha1());
  d.update(password);
  d.update(decoded + 20, static_cast<std::size_t>(n) - 20);
  unsigned char raw[max_hash_bytes];
  const unsigned digest_len = d.final(raw);
  std::memcpy(raw + digest_len, decoded + 20, static_cast<std::size_t>(n) - 20);
  char text[max_hash_bytes * 2];
  return same(encoded, {text, base64_encode(raw, digest_len + static_cast<std::size_t>(n) - 20, text)});
}

constexpr char itoa64[] = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

void to64(char*& out, std::uint32_t v, int n) {
  while (n-- > 0) {
    *out++ = itoa64[v & 0x3f];
    v >>= 6;
  }
}

// crypt(3) with the hash as its setting; libxcrypt answers a failure token
// ("*0") for a setting it cannot read, which matches no hash.
bool crypt_matches(std::string_view hash, std::string_view password) {
  thread_local crypt_data scratch{};
  char key[max_password_bytes + 1];
  char setting[max_hash_bytes + 1];
  std::memcpy(key, password.data(), password.size());
  key[password.size()] = '\0';
  std::memcpy(setting, hash.data(), hash.size());
  setting[hash.size()] = '\0';
  const char* out = crypt_r(key, setting, &scratch);
  return out && out[0] != '*' && same(out, hash);
}

}  // namespace

bool apr1_matches(std::string_view hash, std::string_view password) {
  constexpr std::string_view magic = "$apr1$";
  std::string_view salt = hash.substr(magic.size());
  std::size_t salt_len = 0;
  while (salt_len < 8 && salt_len < salt.size() && salt[salt_len] != '$') ++salt_len;
  salt = salt.substr(0, salt_len);

  unsigned char final[16];
  Digest alt(EVP_md5());
  alt.update(password);
  alt.update(salt);
  alt.update(password);
  alt.final(final);

  Digest ctx(EVP_md5());
  ctx.update(password);
  ctx.update(magic);
  ctx.update(salt);
  for (std::size_t left = password.size(); left > 0; left -= std::min<std::size_t>(left, 16))
    ctx.update(final, std::min<std::size_t>(left, 16));
  const unsigned char zero = 0;
  for (std::size_t i = password.size(); i; i >>= 1) {
    if (i & 1) ctx.update(&zero, 1);
    else ctx.update(reinterpret_cast<const unsigned char*>(password.data()), 1);
  }
  ctx.final(final);

  for (int i = 0; i < 1000; ++i) {
    Digest round(EVP_md5());
    if (i & 1) round.update(password);
    else round.update(final, 16);
    if (i % 3) round.update(salt);
    if (i % 7) round.update(password);
    if (i & 1) round.update(final, 16);
    else round.update(password);
    round.final(final);
  }

  char text[64];
  char* out = text;
  auto f = [&](int i) { return std::uint32_t{final[i]}; };
  to64(out, (f(0) << 16) | (f(6) << 8) | f(12), 4);
  to64(out, (f(1) << 16) | (f(7) << 8) | f(13), 4);
  to64(out, (f(2) << 16) | (f(8) << 8) | f(14), 4);
  to64(out, (f(3) << 16) | (f(9) << 8) | f(15), 4);
  to64(out, (f(4) << 16) | (f(10) << 8) | f(5), 4);
  to64(out, f(11), 2);
  // "$apr1$" salt "$" 22 characters, as ngx_crypt_apr1 prints it.
  const std::string_view rest = hash.substr(magic.size() + salt.size());
  return rest.size() == 23 && rest[0] == '$' && same(rest.substr(1), {text, 22});
}

bool verify_password(std::string_view hash, std::string_view password) {
  if (const auto nul = password.find('\0'); nul != std::string_view::npos) password = password.substr(0, nul);
  if (password.size() > max_password_bytes || hash.size() > max_hash_bytes || hash.find('\0') != std::string_view::npos)
    return false;
  if (hash.starts_with("$apr1$")) return apr1_matches(hash, password);
  if (hash.starts_with("{PLAIN}")) return same(hash.substr(7), password);
  if (hash.starts_with("{SSHA}")) return ssha_matches(hash, password);
  if (hash.starts_with("{SHA}")) return sha_matches(hash, password);
  return crypt_matches(hash, password);
}

}  // namespace sluice
