// metadata: the fields of ObjectMeta the controller uses.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/k8s/value.h"

namespace sluice::k8s {

// any thread (immutable)
struct ObjectMeta {
  std::string ns;    // "" for cluster-scoped kinds
  std::string name;
  std::optional<std::int64_t> creation_time;  // Unix seconds; absent in most manifest files
  std::string resource_version;
  std::string uid;  // set by the API server; "" in manifest files
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;

  // "namespace/name", or "name" for cluster-scoped objects (client-go's key).
  std::string key() const { return ns.empty() ? name : ns + "/" + name; }
  bool operator==(const ObjectMeta&) const = default;
};

// `namespaced`: a missing namespace means "default", as kubectl applies it.
ObjectMeta decode_meta(const Field& metadata, bool namespaced);

// Parses an RFC 3339 time ("2024-05-01T10:00:00Z", "...T10:00:00.5+02:00").
std::optional<std::int64_t> parse_rfc3339(std::string_view text);

}  // namespace sluice::k8s
