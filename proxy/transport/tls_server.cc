// SNI selection: exact host, wildcard, the snapshot's default certificate,
// then the fallback. Session tickets use the base context's keys whatever
// certificate was picked, so resumption survives snapshot changes.
#include "proxy/transport/tls_server.h"

#include <openssl/core_names.h>
#include <openssl/rand.h>

#include <cstring>

namespace sluice {
namespace {

int table_index() {
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

// One TlsServer per process owns the ticket keys.
std::atomic<TlsServer*>& ticket_owner() {
  static std::atomic<TlsServer*> owner{nullptr};
  return owner;
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

TlsServer::TlsServer(std::shared_ptr<const TlsCertificate> fallback) : fallback_(std::move(fallback)) {
  SSL_CTX* ctx = fallback_->context->native_handle();
  SSL_CTX_set_tlsext_servername_callback(ctx, &TlsServer::on_server_name);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER);
  // Tickets are encrypted with the keys of the context a handshake started
  // on (this one), whichever certificate SNI picked.
  rotate_ticket_keys();
  ticket_owner().store(this, std::memory_order_release);
  SSL_CTX_set_tlsext_ticket_key_evp_cb(ctx, &TlsServer::on_ticket_key);
}

TlsServer::~TlsServer() {
  TlsServer* self = this;
  ticket_owner().compare_exchange_strong(self, nullptr);
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
  // OpenSSL calls the session context's callback (the base one) even after
  // SNI switched SSL_get_SSL_CTX to a certificate's, so the owner is found
  // through the process-wide pointer rather than the current context.
  (void)ssl;
  TlsServer* self = ticket_owner().load(std::memory_order_acquire);
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
  // Asio's engine sets SSL_MODE_RELEASE_BUFFERS, which frees the record
  // buffers whenever a read or write drains them and allocates them again
  // for the next record: seven allocations per keep-alive request. A
  // connection keeps them instead (about 34 KiB while it lives).
  SSL_clear_mode(ssl, SSL_MODE_RELEASE_BUFFERS);
}

int TlsServer::on_server_name(SSL* ssl, int*, void*) {
  const auto* table = static_cast<const RouteTable*>(SSL_get_ex_data(ssl, table_index()));
  if (!table) return SSL_TLSEXT_ERR_OK;
  const char* name = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
  const TlsCertificate* cert = table->certificate_for(name ? name : "");
  if (cert) SSL_set_SSL_CTX(ssl, cert->context->native_handle());
  return SSL_TLSEXT_ERR_OK;
}

}  // namespace sluice
