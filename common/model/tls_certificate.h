// Certificate material as a snapshot holds it: a leaf, its chain and its
// private key parsed once from a Secret's PEM, shared read-only by every
// worker. How a listener negotiates (ALPN, versions, ciphers) is not here:
// that is listener policy, in proxy/transport/tls_policy.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace sluice {

// any thread (immutable). Each OpenSSL object is held by one reference of
// its own count; a handshake that installs the certificate takes its own
// references (SSL_use_cert_and_key), so a snapshot may go while connections
// that chose its certificates live on. OpenSSL's X509 and EVP_PKEY are safe
// to read from several threads at once.
class TlsCertificate {
 public:
  TlsCertificate(std::string name, X509* leaf, EVP_PKEY* key, STACK_OF(X509)* chain);  // adopts all three
  ~TlsCertificate();
  TlsCertificate(const TlsCertificate&) = delete;
  TlsCertificate& operator=(const TlsCertificate&) = delete;

  // OpenSSL's API takes these non-const; nothing it does with them writes.
  X509* leaf() const { return leaf_; }
  EVP_PKEY* key() const { return key_; }
  STACK_OF(X509)* chain() const { return chain_; }  // intermediates, leaf excluded; never null

  std::string name;                    // "namespace/secret", or "self-signed"
  std::int64_t not_after = 0;          // expiry, seconds since the epoch
  std::vector<std::string> dns_names;  // subjectAltName DNS entries, lowercased

 private:
  X509* leaf_;
  EVP_PKEY* key_;
  STACK_OF(X509)* chain_;
};

// Builds a certificate from PEM. Returns null with `error` set (one line)
// when the chain or key does not parse or the key does not match.
std::shared_ptr<const TlsCertificate> make_certificate(std::string name, std::string_view chain_pem,
                                                       std::string_view key_pem, std::string& error);

// A fresh self-signed certificate (EC P-256, valid one year) for handshakes
// that no configured certificate covers.
std::shared_ptr<const TlsCertificate> make_self_signed_certificate(std::string_view common_name);

}  // namespace sluice
