// TLS certificate loading with OpenSSL 3: PEM parsing, key match, expiry,
// SANs, and the server settings every context shares.
#include "common/model/tls_certificate.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "common/strings.h"

namespace sluice {
namespace {

// Mozilla "intermediate" (TLS 1.2 part; TLS 1.3 suites are OpenSSL's defaults).
constexpr const char* intermediate_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384";

int select_http11(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                  unsigned int inlen, void*) {
  static const unsigned char ours[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, ours, sizeof ours, in, inlen) != OPENSSL_NPN_NEGOTIATED)
    return SSL_TLSEXT_ERR_NOACK;  // a client offering only h2 still gets HTTP/1.1
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

std::string openssl_error(const char* what) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  if (code == 0) return what;
  char buf[256];
  ERR_error_string_n(code, buf, sizeof buf);
  return std::string(what) + ": " + buf;
}

std::int64_t not_after_of(X509* cert) {
  const ASN1_TIME* t = X509_get0_notAfter(cert);
  struct tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return timegm(&tm);
}

std::vector<std::string> dns_names_of(X509* cert) {
  std::vector<std::string> names;
  auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  if (!sans) return names;
  for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
    const GENERAL_NAME* n = sk_GENERAL_NAME_value(sans, i);
    if (n->type != GEN_DNS) continue;
    const auto* s = n->d.dNSName;
    names.push_back(to_lower({reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                              static_cast<std::size_t>(ASN1_STRING_length(s))}));
  }
  GENERAL_NAMES_free(sans);
  return names;
}

}  // namespace

void configure_server_context(boost::asio::ssl::context& context) {
  SSL_CTX* ctx = context.native_handle();
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, TLS1_3_VERSION);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
                               SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_cipher_list(ctx, intermediate_ciphers);
  SSL_CTX_set_alpn_select_cb(ctx, select_http11, nullptr);
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);  // idle connections keep no TLS buffers
}

std::shared_ptr<const TlsCertificate> make_certificate(std::string name, std::string_view chain_pem,
                                                       std::string_view key_pem, std::string& error) {
  auto context = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  configure_server_context(*context);
  SSL_CTX* ctx = context->native_handle();
  ERR_clear_error();
  boost::system::error_code ec;
  context->use_certificate_chain(boost::asio::buffer(chain_pem.data(), chain_pem.size()), ec);
  if (ec) {
    error = "tls.crt is not a PEM certificate chain (" + ec.message() + ")";
    return nullptr;
  }
  context->use_private_key(boost::asio::buffer(key_pem.data(), key_pem.size()),
                           boost::asio::ssl::context::pem, ec);
  if (ec) {
    error = "tls.key is not a PEM private key (" + ec.message() + ")";
    return nullptr;
  }
  if (SSL_CTX_check_private_key(ctx) != 1) {
    error = openssl_error("tls.key does not match the certificate in tls.crt");
    return nullptr;
  }
  auto cert = std::make_shared<TlsCertificate>();
  cert->name = std::move(name);
  X509* leaf = SSL_CTX_get0_certificate(ctx);
  cert->not_after = not_after_of(leaf);
  cert->dns_names = dns_names_of(leaf);
  cert->context = std::move(context);
  return cert;
}

std::shared_ptr<const TlsCertificate> make_self_signed_certificate(std::string_view common_name) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x509 = X509_new();
  ASN1_INTEGER_set(X509_get_serialNumber(x509), 1);
  X509_gmtime_adj(X509_getm_notBefore(x509), 0);
  X509_gmtime_adj(X509_getm_notAfter(x509), 365L * 24 * 3600);
  X509_set_pubkey(x509, key);
  X509_NAME* subject = X509_get_subject_name(x509);
  std::string cn(common_name);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
  X509_set_issuer_name(x509, subject);
  X509_sign(x509, key, EVP_sha256());

  auto context = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
  configure_server_context(*context);
  SSL_CTX_use_certificate(context->native_handle(), x509);
  SSL_CTX_use_PrivateKey(context->native_handle(), key);
  auto cert = std::make_shared<TlsCertificate>();
  cert->name = "self-signed";
  cert->not_after = not_after_of(x509);
  cert->context = std::move(context);
  X509_free(x509);
  EVP_PKEY_free(key);
  return cert;
}

}  // namespace sluice
