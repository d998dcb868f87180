// v1 Secret of type kubernetes.io/tls: a certificate chain and its key.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/k8s/object_meta.h"

namespace sluice::k8s {

// any thread (immutable)
struct Secret {
  ObjectMeta meta;
  std::string type;     // "kubernetes.io/tls" for most Secrets we serve; any type with the two keys works
  std::string tls_crt;  // decoded PEM bytes of data["tls.crt"] ("" when absent)
  std::string tls_key;  // decoded PEM bytes of data["tls.key"]
  // Every other entry, decoded (auth-secret's "auth" key or its auth-map of
  // user -> hash), except in Secrets that never hold credentials for an
  // Ingress (see keeps_other_data), which can be large.
  std::map<std::string, std::string> data;

  bool is_tls() const { return type == "kubernetes.io/tls"; }
  bool operator==(const Secret&) const = default;
};

// False for kubernetes.io/tls, service-account tokens, docker configs and
// Helm releases: only their key pair, if any, is kept.
bool keeps_other_data(std::string_view type);

// Reads data (base64) and, as manifests may, stringData (plain, wins).
Secret decode_secret(const Field& object);

}  // namespace sluice::k8s
