// RouteTable::hash_content: FNV-1a (64-bit) over a canonical rendering of
// what the table serves. Every string is length-prefixed (so no two
// different tables spell the same bytes), routes, backends and certificate
// hosts are sorted (so the order the translator added them in does not
// matter where it cannot change an answer), and the generation is left out.
#include <algorithm>
#include <utility>

#include <openssl/x509.h>

#include "common/model/route_table.h"

namespace sluice {

namespace {

// any thread (a value on one builder's stack)
class Fnv1a {
 public:
  void bytes(const unsigned char* p, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
      h_ ^= p[i];
      h_ *= 0x100000001b3ull;
    }
  }
  void u64(std::uint64_t v) {  // little-endian whatever the host: deterministic
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = static_cast<unsigned char>(v >> (8 * i));
    bytes(b, sizeof b);
  }
  void str(std::string_view s) {
    u64(s.size());
    bytes(reinterpret_cast<const unsigned char*>(s.data()), s.size());
  }
  std::uint64_t value() const { return h_; }

 private:
  std::uint64_t h_ = 0xcbf29ce484222325ull;
};

void endpoints(Fnv1a& h, const std::vector<Endpoint>& list) {
  h.u64(list.size());
  for (const Endpoint& e : list) h.str(e.name);  // "address:port", the whole address
}

void der(Fnv1a& h, X509* cert) {
  unsigned char* out = nullptr;
  const int n = i2d_X509(cert, &out);
  h.u64(n > 0 ? static_cast<std::uint64_t>(n) : 0);
  if (n > 0) h.bytes(out, static_cast<std::size_t>(n));
  OPENSSL_free(out);
}

std::uint64_t certificate_hash(const TlsCertificate& c) {
  Fnv1a h;
  h.str(c.name);
  h.u64(static_cast<std::uint64_t>(c.not_after));
  der(h, c.leaf());
  const int chain = sk_X509_num(c.chain());
  h.u64(static_cast<std::uint64_t>(chain));
  for (int i = 0; i < chain; ++i) der(h, sk_X509_value(c.chain(), i));
  return h.value();
}

}  // namespace

std::uint64_t RouteTable::hash_content() const {
  std::vector<std::string> policy_text;
  policy_text.reserve(policies_.size());
  for (const RoutePolicy& p : policies_) policy_text.push_back(describe(p));

  std::vector<std::uint64_t> routes;
  routes.reserve(routes_.size());
  for (const Route& r : routes_) {
    Fnv1a h;
    h.str(r.host);
    h.str(r.path);
    h.u64(static_cast<std::uint64_t>(r.match));
    h.u64(r.is_default ? 1 : 0);
    h.str(backends_[r.backend].name);
    h.str(r.ingress_namespace);
    h.str(r.ingress_name);
    h.str(policy_text[r.policy]);
    routes.push_back(h.value());
  }
  std::sort(routes.begin(), routes.end());

  std::vector<std::pair<std::string_view, std::uint64_t>> backends;
  backends.reserve(backends_.size());
  for (const Backend& b : backends_) {
    Fnv1a h;
    h.str(b.name);
    h.str(b.service_namespace);
    h.str(b.service_name);
    h.str(b.service_port);
    endpoints(h, b.endpoints);  // not b.not_ready: never routed to, so not served configuration
    h.str(b.external_name);
    h.u64(b.external_port);
    backends.emplace_back(b.name, h.value());
  }
  std::sort(backends.begin(), backends.end());

  std::vector<std::uint64_t> certificate(certificates_.size());
  for (std::size_t i = 0; i < certificates_.size(); ++i) certificate[i] = certificate_hash(*certificates_[i]);
  std::vector<std::pair<std::string, std::uint64_t>> tls;  // "=host" or "*domain" -> certificate
  tls.reserve(tls_hosts_.size() + tls_wildcards_.size());
  for (const auto& [host, index] : tls_hosts_) tls.emplace_back("=" + host, certificate[index]);
  for (const auto& [domain, index] : tls_wildcards_) tls.emplace_back("*" + domain, certificate[index]);
  std::sort(tls.begin(), tls.end());

  Fnv1a h;
  h.u64(routes.size());
  for (std::uint64_t r : routes) h.u64(r);
  h.u64(backends.size());
  for (const auto& [name, b] : backends) h.u64(b);  // clang 14 cannot take libstdc++ 12's views::values
  h.u64(tls.size());
  for (const auto& [key, cert] : tls) {
    h.str(key);
    h.u64(cert);
  }
  h.u64(default_certificate_ == none ? 0 : certificate[default_certificate_]);
  return h.value();
}

}  // namespace sluice
