// A certificate chain and key ready for TLS handshakes, as a snapshot holds
// it: built once from a Secret's PEM, shared read-only by every worker.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ssl/context.hpp>

namespace sluice {

// any thread (immutable). An SSL_CTX is safe to share between threads once
// configured; only new SSL objects are created from it.
struct TlsCertificate {
  std::string name;                 // "namespace/secret", or "self-signed"
  std::shared_ptr<boost::asio::ssl::context> context;
  std::int64_t not_after = 0;       // expiry, seconds since the epoch
  std::vector<std::string> dns_names;  // subjectAltName DNS entries, lowercased
};

// Applies what every server context of ours shares: TLS 1.2 and 1.3 only,
// Mozilla's "intermediate" ciphers, ALPN "http/1.1", no compression or
// renegotiation. Used for the base context and for each certificate's.
void configure_server_context(boost::asio::ssl::context& context);

// Builds a certificate from PEM. Returns null with `error` set (one line)
// when the chain or key does not parse or the key does not match.
std::shared_ptr<const TlsCertificate> make_certificate(std::string name, std::string_view chain_pem,
                                                       std::string_view key_pem, std::string& error);

// A fresh self-signed certificate (EC P-256, valid one year) for handshakes
// that no configured certificate covers.
std::shared_ptr<const TlsCertificate> make_self_signed_certificate(std::string_view common_name);

}  // namespace sluice
