// A TLS listener: one server context carrying the listener's policy, whose
// SNI callback installs each handshake's certificate from the snapshot the
// connection pinned, and the session ticket keys.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>

#include <boost/asio/ssl/context.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "common/model/route_table.h"
#include "proxy/transport/tls_policy.h"

namespace sluice {

// any thread (immutable after construction, but for the ticket keys, which
// rotation swaps atomically). SSL objects are created from context() on
// worker threads; OpenSSL makes that safe. Not movable: the context's
// callbacks point at this object and its policy.
class TlsServer {
 public:
  // `fallback` serves handshakes that neither a host nor the snapshot's
  // default certificate covers (the self-signed one generated at start).
  // Throws std::invalid_argument when `policy` is invalid (start-up only).
  explicit TlsServer(std::shared_ptr<const TlsCertificate> fallback, TlsPolicy policy = {});
  TlsServer(const TlsServer&) = delete;
  TlsServer& operator=(const TlsServer&) = delete;

  boost::asio::ssl::context& context() { return context_; }
  const TlsPolicy& policy() const { return policy_; }

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

  const TlsPolicy policy_;  // read by the ALPN callback of every handshake
  std::shared_ptr<const TlsCertificate> fallback_;
  boost::asio::ssl::context context_;
  // Read by handshakes on any worker, replaced by rotation: an atomic
  // shared_ptr, touched once per full handshake, never per request.
  std::atomic<std::shared_ptr<const KeyRing>> ticket_keys_;
};

}  // namespace sluice
