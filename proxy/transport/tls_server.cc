// SNI selection: exact host, wildcard, the snapshot's default certificate,
// then the fallback. One SSL_CTX per listener carries the policy; the chosen
// certificate is installed on the SSL object itself, so ALPN, versions and
// ciphers never depend on which certificate was chosen.
//
// Why not SSL_set_SSL_CTX to a context per certificate (nginx's way, and
// ours before): OpenSSL 3.0 then takes the ALPN callback and the cipher list
// from the switched context (s->ctx) but versions and options from the
// first, so every certificate context had to carry the listener's policy,
// and two listeners with different policies would need a context per
// (listener, certificate). Installing costs an up-ref of the leaf, the key
// and the chain, a small stack copy and a public key compare, once per
// handshake (requests never run it). Measured with EC P-256 on this 2-core
// box, outside the handshake: SSL_certs_clear + SSL_use_cert_and_key 1.35 us,
// SSL_set_SSL_CTX 0.3 us, against about 650 us for a full TLS 1.3 handshake
// over a BIO pair (both sides' crypto): ~0.2%, within the handshake's noise.
#include "proxy/transport/tls_server.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/rand.h>

#include <cstring>
#include <stdexcept>

namespace sluice {
namespace {

int table_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// Where the ticket callback, which gets no argument, finds its TlsServer:
// on the listener's context, which handshakes never leave.
int server_index() {
  static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

bool set_hmac_key(EVP_MAC_CTX* mac, const unsigned char* key, std::size_t length) {
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {  // OSSL_PARAM only reads the key, whatever its signature says
      OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, const_cast<unsigned char*>(key), length),
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  return EVP_MAC_CTX_set_params(mac, params) == 1;
}

}  // namespace

TlsServer::TlsServer(std::shared_ptr<const TlsCertificate> fallback, TlsPolicy policy)
    : policy_(std::move(policy)), fallback_(std::move(fallback)), context_(boost::asio::ssl::context::tls_server) {
  SSL_CTX* ctx = context_.native_handle();
  std::string error;
  if (!apply_tls_policy(ctx, policy_, error)) throw std::invalid_argument("TLS listener policy: " + error);
  if (SSL_CTX_use_cert_and_key(ctx, fallback_->leaf(), fallback_->key(), fallback_->chain(), 1) != 1) {
    ERR_clear_error();
    throw std::invalid_argument("the fallback certificate " + fallback_->name + " does not load");
  }
  SSL_CTX_set_ex_data(ctx, server_index(), this);
  SSL_CTX_set_tlsext_servername_callback(ctx, &TlsServer::on_server_name);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  rotate_ticket_keys();
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, &TlsServer::on_ticket_key);
}

void TlsServer::rotate_ticket_keys() {
  auto ring = std::make_shared<KeyRing>();
  TicketKey& fresh = (*ring)[0];
  RAND_bytes(fresh.name, sizeof fresh.name);
  RAND_bytes(fresh.aes, sizeof fresh.aes);
  RAND_bytes(fresh.hmac, sizeof fresh.hmac);
  if (auto old = ticket_keys_.load()) {
    (*ring)[1] = (*old)[0];
    (*ring)[2] = (*old)[1];
  } else {
    (*ring)[1] = (*ring)[2] = fresh;
  }
  ticket_keys_.store(std::move(ring));
}

int TlsServer::on_ticket_key(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                             EVP_MAC_CTX* mac, int encrypt) {
  auto* self = static_cast<TlsServer*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), server_index()));
  if (!self) return -1;
  auto ring = self->ticket_keys_.load();
  if (encrypt) {
    const TicketKey& key = (*ring)[0];
    if (RAND_bytes(iv, EVP_MAX_IV_LENGTH) != 1) return -1;
    std::memcpy(name, key.name, sizeof key.name);
    if (EVP_EncryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv) != 1) return -1;
    return set_hmac_key(mac, key.hmac, sizeof key.hmac) ? 1 : -1;
  }
  for (std::size_t i = 0; i < ring->size(); ++i) {
    const TicketKey& key = (*ring)[i];
    if (std::memcmp(name, key.name, sizeof key.name) != 0) continue;
    if (EVP_DecryptInit_ex(cipher, EVP_aes_256_cbc(), nullptr, key.aes, iv) != 1) return -1;
    if (!set_hmac_key(mac, key.hmac, sizeof key.hmac)) return -1;
    return i == 0 ? 1 : 2;  // 2: valid, but issue a ticket under the current key
  }
  return 0;  // unknown or expired key: a full handshake
}

void TlsServer::attach(SSL* ssl, const RouteTable* table) {
  SSL_set_ex_data(ssl, table_index(), const_cast<RouteTable*>(table));
  // SSL_MODE_RELEASE_BUFFERS (the listener's policy, and Asio's engine) stays
  // on: an idle keep-alive connection then holds no record buffers (about
  // 34 KiB each), as with nginx and HAProxy, at the price of OpenSSL
  // allocating them again for the next request's records
  // (test_request_path_allocations's HTTPS case says how many).
}

// Runs once per ClientHello (twice after a HelloRetryRequest; installing
// again is harmless), before OpenSSL picks a certificate, ALPN or a cipher.
int TlsServer::on_server_name(SSL* ssl, int* alert, void*) {
  const auto* table = static_cast<const RouteTable*>(SSL_get_ex_data(ssl, table_index()));
  if (!table) return SSL_TLSEXT_ERR_OK;
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  const TlsCertificate* cert = table->certificate_for(name ? name : "");
  if (!cert) return SSL_TLSEXT_ERR_OK;  // the listener's fallback, set on the context, stays
  // Certificates sit in slots by key type: without clearing, an RSA choice
  // would sit beside the EC fallback and OpenSSL could serve either one.
  SSL_certs_clear(ssl);
  if (SSL_use_cert_and_key(ssl, cert->leaf(), cert->key(), cert->chain(), 1) == 1) return SSL_TLSEXT_ERR_OK;
  ERR_clear_error();  // validated when parsed, so not expected; refuse rather than serve no certificate
  *alert = SSL_AD_INTERNAL_ERROR;
  return SSL_TLSEXT_ERR_ALERT_FATAL;
}

}  // namespace sluice
