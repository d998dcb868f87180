// TLS termination settings shared by every worker: the base server context
// whose SNI callback picks each handshake's certificate from the snapshot
// the connection pinned.
#pragma once

#include <array>
#include <atomic>
#include <memory>

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "common/model/route_table.h"

namespace sluice {

// any thread (immutable after construction). SSL objects are created from
// context() on worker threads; OpenSSL makes that safe.
class TlsServer {
 public:
  // `fallback` serves handshakes that neither a host nor the snapshot's
  // default certificate covers (the self-signed one generated at start).
  explicit TlsServer(std::shared_ptr<const TlsCertificate> fallback);
  ~TlsServer();

  boost::asio::ssl::context& context() { return *fallback_->context; }

  // Tells the SNI callback which snapshot this handshake routes on, and
  // makes the connection keep its TLS record buffers (called before every
  // handshake).
  static void attach(SSL* ssl, const RouteTable* table);

  // Starts encrypting session tickets with a fresh key; the previous keys
  // still decrypt (those tickets are renewed), older ones no longer do.
  // Called on a timer from the controller thread.
  void rotate_ticket_keys();
  static constexpr auto ticket_key_lifetime = std::chrono::hours(12);

 private:
  struct TicketKey {
    unsigned char name[16];
    unsigned char aes[32];
    unsigned char hmac[32];
  };
  using KeyRing = std::array<TicketKey, 3>;  // [0] encrypts; all decrypt

  static int on_server_name(SSL* ssl, int* alert, void* arg);
  static int on_ticket_key(SSL* ssl, unsigned char* name, unsigned char* iv, EVP_CIPHER_CTX* cipher,
                           EVP_MAC_CTX* mac, int encrypt);

  std::shared_ptr<const TlsCertificate> fallback_;
  // Read by handshakes on any worker, replaced by rotation: an atomic
  // shared_ptr, touched once per full handshake, never per request.
  std::atomic<std::shared_ptr<const KeyRing>> ticket_keys_;
};

}  // namespace sluice
