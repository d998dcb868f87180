// Listener TLS policy: versions, ciphers, options and the ALPN choice.
#include "proxy/transport/tls_policy.h"

#include <openssl/err.h>

#include <cstring>

namespace sluice {
namespace {

// Walks our list first, the client's inside it: server preference. `out`
// points into the client's list, which OpenSSL copies before `in` goes.
// Allocates nothing: it runs once per full handshake on a worker.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                unsigned int inlen, void* arg) {
  const auto& ours = static_cast<const TlsPolicy*>(arg)->alpn;
  for (const std::string& want : ours) {
    for (unsigned int i = 0; i < inlen;) {
      const unsigned int length = in[i++];
      if (length > inlen - i) break;  // OpenSSL checked the extension's framing; this is belt and braces
      if (length == want.size() && std::memcmp(in + i, want.data(), length) == 0) {
        *out = in + i;
        *outlen = static_cast<unsigned char>(length);
        return SSL_TLSEXT_ERR_OK;
      }
      i += length;
    }
  }
  return SSL_TLSEXT_ERR_NOACK;
}

bool valid_alpn(const std::vector<std::string>& names, std::string& error) {
  for (const std::string& name : names) {
    if (!name.empty() && name.size() <= 255) continue;
    error = "ALPN protocol names must be 1 to 255 bytes long";
    return false;
  }
  return true;
}

// SSL_CTX_set_ciphersuites skips names it does not know, so a list of only
// unknown names would quietly turn TLS 1.3 off.
bool has_tls13_suite(SSL_CTX* ctx) {
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(ctx);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i)
    if (std::strcmp(SSL_CIPHER_get_version(sk_SSL_CIPHER_value(ciphers, i)), "TLSv1.3") == 0) return true;
  return false;
}

// OpenSSL reads a max version of 0 as "the highest it knows".
bool allows_tls13(const TlsPolicy& p) { return p.max_version == 0 || p.max_version >= TLS1_3_VERSION; }

}  // namespace

bool apply_tls_policy(SSL_CTX* ctx, const TlsPolicy& policy, std::string& error) {
  ERR_clear_error();
  if (!valid_alpn(policy.alpn, error)) return false;
  const bool reversed = policy.max_version != 0 && policy.min_version > policy.max_version;
  if (reversed || SSL_CTX_set_min_proto_version(ctx, policy.min_version) != 1 ||
      SSL_CTX_set_max_proto_version(ctx, policy.max_version) != 1) {
    error = "invalid TLS version range";
    return false;
  }
  if (SSL_CTX_set_cipher_list(ctx, policy.ciphers.c_str()) != 1) {
    error = "no usable TLS 1.2 cipher in \"" + policy.ciphers + "\"";
    return false;
  }
  if (SSL_CTX_set_ciphersuites(ctx, policy.ciphersuites.c_str()) != 1 ||
      (allows_tls13(policy) && !has_tls13_suite(ctx))) {
    error = "no usable TLS 1.3 ciphersuite in \"" + policy.ciphersuites + "\"";
    return false;
  }
  ERR_clear_error();
  SSL_CTX_set_options(ctx, policy.options);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);  // idle connections keep no TLS buffers
  if (policy.alpn.empty())
    SSL_CTX_set_alpn_select_cb(ctx, nullptr, nullptr);
  else
    SSL_CTX_set_alpn_select_cb(ctx, select_alpn, const_cast<TlsPolicy*>(&policy));
  return true;
}

}  // namespace sluice
