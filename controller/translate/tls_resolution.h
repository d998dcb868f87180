// Ingress spec.tls → certificates in the snapshot, by SNI host name.
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "common/k8s/ingress.h"
#include "common/k8s/secret.h"
#include "common/model/route_table.h"
#include "controller/object_store.h"
#include "controller/translate/translator_options.h"
#include "controller/translate/warning.h"

namespace sluice::controller {

// controller-confined. Parsing a key pair costs far more than a
// translation, so a Secret's certificate is built once per content and
// reused by every later translation (memoisation: translate stays pure).
class CertificateCache {
 public:
  // Null with `error` set when the Secret's pair is unusable.
  std::shared_ptr<const TlsCertificate> get(const k8s::Secret& secret, std::string& error);
  // Forgets Secrets not asked for since the last call.
  void sweep();

 private:
  struct Entry {
    std::string crt;
    std::string key;
    std::shared_ptr<const TlsCertificate> certificate;
    std::string error;
    bool used = true;
  };
  std::map<std::string, Entry> entries_;  // by namespace/name
};

// Adds the certificates of `ingresses` (oldest first, so the oldest Ingress
// wins a host) and the default certificate to `builder`; returns the hosts
// that serve TLS. Unusable Secrets become warnings, never errors.
std::set<std::string> add_tls_certificates(const ObjectStore& store,
                                           const std::vector<std::shared_ptr<const k8s::Ingress>>& ingresses,
                                           const TranslatorOptions& options, CertificateCache& cache,
                                           RouteTableBuilder& builder, std::vector<Warning>& warnings);

}  // namespace sluice::controller
