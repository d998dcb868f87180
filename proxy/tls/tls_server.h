// TLS termination settings shared by every worker: the base server context
// whose SNI callback picks each handshake's certificate from the snapshot
// the connection pinned.
#pragma once

#include <memory>

#include <boost/asio/ssl/context.hpp>
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

  boost::asio::ssl::context& context() { return *fallback_->context; }

  // Tells the SNI callback which snapshot this handshake routes on.
  static void attach(SSL* ssl, const RouteTable* table);

 private:
  static int on_server_name(SSL* ssl, int* alert, void* arg);
  std::shared_ptr<const TlsCertificate> fallback_;
};

}  // namespace sluice
