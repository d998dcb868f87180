// Certificate material with OpenSSL 3: PEM parsing of the chain and the key,
// the key match, expiry, SANs, and the self-signed fallback.
#include "common/model/tls_certificate.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <ctime>

#include "common/strings.h"

namespace sluice {
namespace {

// The reason of the oldest queued OpenSSL error ("no start line",
// "bad decrypt"); the queue is cleared so the next parse starts clean.
std::string openssl_reason(const char* fallback) {
  unsigned long code = ERR_get_error();
  ERR_clear_error();
  const char* reason = code ? ERR_reason_error_string(code) : nullptr;
  return reason ? reason : fallback;
}

// An encrypted tls.key has no passphrase to give: fail instead of letting
// OpenSSL's default callback prompt on a terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

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

struct OpenSslFree {
  void operator()(BIO* b) const { BIO_free(b); }
  void operator()(X509* x) const { X509_free(x); }
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
  void operator()(STACK_OF(X509)* s) const { sk_X509_pop_free(s, X509_free); }
};
template <class T>
using Owned = std::unique_ptr<T, OpenSslFree>;

Owned<BIO> memory_bio(std::string_view pem) {
  return Owned<BIO>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Reads the leaf and then every further certificate, as
// SSL_CTX_use_certificate_chain_file does: the chain ends at the first
// missing PEM header, any other error rejects the whole chain.
bool parse_chain(std::string_view pem, Owned<X509>& leaf, Owned<STACK_OF(X509)>& chain, std::string& error) {
  Owned<BIO> bio = memory_bio(pem);
  if (bio) leaf.reset(PEM_read_bio_X509_AUX(bio.get(), nullptr, no_passphrase, nullptr));
  if (!leaf) {
    error = "tls.crt is not a PEM certificate chain (" + openssl_reason("no certificate") + ")";
    return false;
  }
  chain.reset(sk_X509_new_null());
  while (X509* next = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)) sk_X509_push(chain.get(), next);
  unsigned long last = ERR_peek_last_error();
  if (ERR_GET_LIB(last) == ERR_LIB_PEM && ERR_GET_REASON(last) == PEM_R_NO_START_LINE) {
    ERR_clear_error();
    return true;
  }
  error = "tls.crt is not a PEM certificate chain (" + openssl_reason("unreadable certificate") + ")";
  return false;
}

}  // namespace

TlsCertificate::TlsCertificate(std::string n, X509* leaf, EVP_PKEY* key, STACK_OF(X509)* chain)
    : name(std::move(n)), leaf_(leaf), key_(key), chain_(chain ? chain : sk_X509_new_null()) {
  not_after = not_after_of(leaf_);
  dns_names = dns_names_of(leaf_);
}

TlsCertificate::~TlsCertificate() {
  sk_X509_pop_free(chain_, X509_free);
  EVP_PKEY_free(key_);
  X509_free(leaf_);
}

std::shared_ptr<const TlsCertificate> make_certificate(std::string name, std::string_view chain_pem,
                                                       std::string_view key_pem, std::string& error) {
  ERR_clear_error();
  Owned<X509> leaf;
  Owned<STACK_OF(X509)> chain;
  if (!parse_chain(chain_pem, leaf, chain, error)) return nullptr;
  Owned<BIO> bio = memory_bio(key_pem);
  Owned<EVP_PKEY> key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr) : nullptr);
  if (!key) {
    error = "tls.key is not a PEM private key (" + openssl_reason("no key") + ")";
    return nullptr;
  }
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    error = "tls.key does not match the certificate in tls.crt (" + openssl_reason("key values mismatch") + ")";
    return nullptr;
  }
  return std::make_shared<TlsCertificate>(std::move(name), leaf.release(), key.release(), chain.release());
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
  return std::make_shared<TlsCertificate>("self-signed", x509, key, nullptr);
}

}  // namespace sluice
