// Decoding a Secret; see secret.h.
#include "common/k8s/secret.h"

#include "common/k8s/base64.h"

namespace sluice::k8s {
namespace {

std::string data_entry(const Field& object, const char* key) {
  Field plain = object["stringData"][key];
  if (plain.present()) return plain.string();
  Field encoded = object["data"][key];
  if (!encoded.present()) return {};
  auto bytes = base64_decode(encoded.string());
  if (!bytes) encoded.fail("not valid base64");
  return *bytes;
}

std::string decode_entry(const Field& encoded) {
  auto bytes = base64_decode(encoded.string());
  if (!bytes) encoded.fail("not valid base64");
  return *bytes;
}

}  // namespace

bool keeps_other_data(std::string_view type) {
  return type != "kubernetes.io/tls" && type != "kubernetes.io/service-account-token" &&
         type != "kubernetes.io/dockercfg" && type != "kubernetes.io/dockerconfigjson" &&
         !type.starts_with("helm.sh/");
}

Secret decode_secret(const Field& object) {
  Secret s;
  s.meta = decode_meta(object["metadata"], true);
  s.type = object["type"].string_or("Opaque");
  // tls.crt and tls.key are kept whatever the type: ingress-nginx serves a
  // key pair from an Opaque Secret too. The other entries only where an
  // auth-secret may live, so a Helm release does not stay in memory.
  s.tls_crt = data_entry(object, "tls.crt");
  s.tls_key = data_entry(object, "tls.key");
  if (!keeps_other_data(s.type)) return s;
  for (auto& [key, value] : object["data"].entries())
    if (key != "tls.crt" && key != "tls.key") s.data[key] = decode_entry(value);
  for (auto& [key, value] : object["stringData"].entries())
    if (key != "tls.crt" && key != "tls.key") s.data[key] = value.string();
  return s;
}

}  // namespace sluice::k8s
