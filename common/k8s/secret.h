// v1 Secret of type kubernetes.io/tls: a certificate chain and its key.
#pragma once

#include <string>

#include "common/k8s/object_meta.h"

namespace sluice::k8s {

// any thread (immutable)
struct Secret {
  ObjectMeta meta;
  std::string type;     // "kubernetes.io/tls" for most Secrets we serve; any type with the two keys works
  std::string tls_crt;  // decoded PEM bytes of data["tls.crt"] ("" when absent)
  std::string tls_key;  // decoded PEM bytes of data["tls.key"]

  bool is_tls() const { return type == "kubernetes.io/tls"; }
  bool operator==(const Secret&) const = default;
};

// Reads data (base64) and, as manifests may, stringData (plain, wins).
Secret decode_secret(const Field& object);

}  // namespace sluice::k8s
