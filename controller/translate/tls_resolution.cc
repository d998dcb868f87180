// TLS resolution: Secrets to certificates, hosts to certificates.
#include "controller/translate/tls_resolution.h"

#include "controller/translate/rule_validation.h"

namespace sluice::controller {
namespace {

k8s::ObjectRef ref_of(const k8s::Ingress& ing) { return {k8s::Kind::ingress, ing.meta.ns, ing.meta.name}; }

// The Secret's certificate, or null with a warning saying why.
std::shared_ptr<const TlsCertificate> certificate_of(const ObjectStore& store, CertificateCache& cache,
                                                     const std::string& ns, const std::string& name,
                                                     std::string& problem) {
  auto secret = store.find<k8s::Secret>(ns, name);
  if (!secret) {
    problem = "TLS Secret " + ns + "/" + name + " not found";
    return nullptr;
  }
  // As ingress-nginx: any type serves if it holds tls.crt and tls.key.
  if (!secret->is_tls() && (secret->tls_crt.empty() || secret->tls_key.empty())) {
    problem = "Secret " + ns + "/" + name + " is of type \"" + secret->type +
              "\" and holds no tls.crt and tls.key";
    return nullptr;
  }
  std::string error;
  auto cert = cache.get(*secret, error);
  if (!cert) problem = "TLS Secret " + ns + "/" + name + ": " + error;
  return cert;
}

std::set<std::string> rule_hosts(const k8s::Ingress& ing) {
  std::set<std::string> hosts;
  for (const auto& rule : ing.rules) {
    std::string ignored;
    if (auto host = normalize_rule_host(rule.host, ignored); host && !host->empty()) hosts.insert(*host);
  }
  return hosts;
}

}  // namespace

std::shared_ptr<const TlsCertificate> CertificateCache::get(const k8s::Secret& secret, std::string& error) {
  const std::string key = secret.meta.ns + "/" + secret.meta.name;
  auto it = entries_.find(key);
  if (it == entries_.end() || it->second.crt != secret.tls_crt || it->second.key != secret.tls_key) {
    Entry e{secret.tls_crt, secret.tls_key, nullptr, {}, true};
    if (secret.tls_crt.empty() || secret.tls_key.empty())
      e.error = "tls.crt and tls.key must both be set";
    else
      e.certificate = make_certificate(key, secret.tls_crt, secret.tls_key, e.error);
    it = entries_.insert_or_assign(key, std::move(e)).first;
  }
  it->second.used = true;
  error = it->second.error;
  return it->second.certificate;
}

void CertificateCache::sweep() {
  std::erase_if(entries_, [](const auto& kv) { return !kv.second.used; });
  for (auto& [key, entry] : entries_) entry.used = false;
}

std::set<std::string> add_tls_certificates(const ObjectStore& store,
                                           const std::vector<std::shared_ptr<const k8s::Ingress>>& ingresses,
                                           const TranslatorOptions& options, CertificateCache& cache,
                                           RouteTableBuilder& builder, std::vector<Warning>& warnings) {
  std::set<std::string> tls_hosts;
  for (const auto& ing : ingresses) {
    for (const k8s::IngressTls& tls : ing->tls) {
      if (tls.secret_name.empty()) continue;  // TLS via the default certificate
      std::string problem;
      auto cert = certificate_of(store, cache, ing->meta.ns, tls.secret_name, problem);
      if (!cert) {
        warnings.push_back({ref_of(*ing), problem + "; its hosts get the default certificate"});
        continue;
      }
      std::set<std::string> hosts;
      for (const std::string& h : tls.hosts) {
        std::string ignored;
        if (auto host = normalize_rule_host(h, ignored); host && !host->empty()) hosts.insert(*host);
      }
      if (tls.hosts.empty()) hosts = rule_hosts(*ing);
      for (const std::string& host : hosts) {
        builder.add_certificate(host, cert);  // an older Ingress already holding it wins
        tls_hosts.insert(host);
      }
    }
  }
  if (auto slash = options.default_ssl_certificate.find('/'); slash != std::string::npos) {
    std::string problem;
    auto cert = certificate_of(store, cache, options.default_ssl_certificate.substr(0, slash),
                               options.default_ssl_certificate.substr(slash + 1), problem);
    if (cert) builder.set_default_certificate(std::move(cert));
    else warnings.push_back({{k8s::Kind::secret, options.default_ssl_certificate.substr(0, slash),
                              options.default_ssl_certificate.substr(slash + 1)},
                             problem + "; --default-ssl-certificate not used"});
  }
  return tls_hosts;
}

}  // namespace sluice::controller
