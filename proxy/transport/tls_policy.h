// A TLS listener's negotiation policy (ALPN, versions, ciphers, options)
// and the function that applies it to the listener's SSL_CTX.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <openssl/ssl.h>

namespace sluice {

// Mozilla's "intermediate" TLS 1.2 ciphers, today's default.
inline constexpr const char* intermediate_tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";
// OpenSSL 3's own TLS 1.3 default, which Mozilla's "intermediate" keeps.
inline constexpr const char* default_tls13_ciphersuites =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256";

// any thread (immutable once applied). The listener that applies it (its
// TlsServer) keeps it for the SSL_CTX's lifetime: the ALPN callback reads
// `alpn` during every handshake.
struct TlsPolicy {
  // In server preference order, as nginx and Envoy choose: the first of
  // ours the client also offers wins; no overlap means no ALPN at all, and
  // the connection speaks HTTP/1.1 (a client offering only h2 still gets
  // an answer). Empty: the listener ignores ALPN.
  std::vector<std::string> alpn{"http/1.1"};
  int min_version = TLS1_2_VERSION;
  int max_version = TLS1_3_VERSION;  // OpenSSL constants; 0 means "the lowest/highest known"
  std::string ciphers = intermediate_tls12_ciphers;         // TLS 1.2 and below (SSL_CTX_set_cipher_list)
  std::string ciphersuites = default_tls13_ciphersuites;    // TLS 1.3 (SSL_CTX_set_ciphersuites)
  std::uint64_t options = SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE;
};

// Applies `policy` to a listener's context. `policy` must outlive `ctx`.
// Returns false with `error` set (one line) when a part of it is invalid:
// an ALPN name empty or over 255 bytes, versions out of order, or a cipher
// list OpenSSL matches nothing in. Called at start-up, never per handshake.
bool apply_tls_policy(SSL_CTX* ctx, const TlsPolicy& policy, std::string& error);

}  // namespace sluice
