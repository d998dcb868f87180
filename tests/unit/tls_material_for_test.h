// Certificates and keys made in memory for TLS tests: EC or RSA leaves
// with subjectAltNames, signed by themselves or by a test CA, as PEM.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace sluice::test {

struct PemPair {
  std::string chain;  // leaf first, then `issuer`'s certificate when there is one
  std::string key;
  EVP_PKEY* pkey = nullptr;  // kept to sign further certificates
  X509* cert = nullptr;
  PemPair() = default;
  PemPair(const PemPair&) = delete;
  PemPair(PemPair&& o) noexcept : chain(std::move(o.chain)), key(std::move(o.key)), pkey(o.pkey), cert(o.cert) {
    o.pkey = nullptr;
    o.cert = nullptr;
  }
  ~PemPair() {
    EVP_PKEY_free(pkey);
    X509_free(cert);
  }
};

inline std::string pem_of_for_test(X509* cert) {
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, cert);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

inline std::string pem_of_for_test(EVP_PKEY* key, const char* passphrase = nullptr) {
  BIO* bio = BIO_new(BIO_s_mem());
  const EVP_CIPHER* cipher = passphrase ? EVP_aes_256_cbc() : nullptr;
  PEM_write_bio_PrivateKey(bio, key, cipher, nullptr, 0, nullptr, const_cast<char*>(passphrase));
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  std::string out(data, static_cast<std::size_t>(n));
  BIO_free(bio);
  return out;
}

// A leaf for `dns_names` (the first is also the CN), an RSA 2048 or EC
// P-256 key, signed by `issuer` or by itself, valid for `days`.
inline PemPair make_pem_for_test(const std::vector<std::string>& dns_names, bool rsa = false,
                                 const PemPair* issuer = nullptr, long days = 2) {
  PemPair out;
  out.pkey = rsa ? EVP_RSA_gen(2048) : EVP_EC_gen("P-256");
  X509* x = X509_new();
  out.cert = x;
  X509_set_version(x, 2);
  static long serial = 1;
  ASN1_INTEGER_set(X509_get_serialNumber(x), ++serial);
  X509_gmtime_adj(X509_getm_notBefore(x), 0);
  X509_gmtime_adj(X509_getm_notAfter(x), days * 24 * 3600);
  X509_set_pubkey(x, out.pkey);
  X509_NAME* subject = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(dns_names.front().c_str()), -1, -1, 0);
  X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->cert) : subject);
  std::string sans;
  for (const std::string& n : dns_names) sans += (sans.empty() ? "DNS:" : ",DNS:") + n;
  X509V3_CTX v3;
  X509V3_set_ctx(&v3, issuer ? issuer->cert : x, x, nullptr, nullptr, 0);
  if (X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, sans.c_str())) {
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, issuer ? issuer->pkey : out.pkey, EVP_sha256());
  out.chain = pem_of_for_test(x) + (issuer ? pem_of_for_test(issuer->cert) : std::string());
  out.key = pem_of_for_test(out.pkey);
  return out;
}

}  // namespace sluice::test
