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

}  // namespace

Secret decode_secret(const Field& object) {
  Secret s;
  s.meta = decode_meta(object["metadata"], true);
  s.type = object["type"].string_or("Opaque");
  // Only tls.crt and tls.key are kept, whatever the type: ingress-nginx
  // serves a key pair from an Opaque Secret too. Every other entry is
  // dropped, so nothing else a Secret holds stays in memory.
  s.tls_crt = data_entry(object, "tls.crt");
  s.tls_key = data_entry(object, "tls.key");
  return s;
}

}  // namespace sluice::k8s
