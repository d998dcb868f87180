// Any decoded object of a kind the controller uses, its identity, and the
// one entry point that decodes an object of any of those kinds.
#pragma once

#include <compare>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "common/k8s/config_map.h"
#include "common/k8s/endpoint_slice.h"
#include "common/k8s/ingress.h"
#include "common/k8s/ingress_class.h"
#include "common/k8s/secret.h"
#include "common/k8s/service.h"
#include "common/k8s/value.h"

namespace sluice::k8s {

// The order matches AnyObject's alternatives.
enum class Kind : std::uint8_t { ingress, ingress_class, service, endpoint_slice, secret, config_map };
inline constexpr std::size_t kind_count = 6;

using AnyObject =
    std::variant<std::shared_ptr<const Ingress>, std::shared_ptr<const IngressClass>,
                 std::shared_ptr<const Service>, std::shared_ptr<const EndpointSlice>,
                 std::shared_ptr<const Secret>, std::shared_ptr<const ConfigMap>>;
static_assert(std::variant_size_v<AnyObject> == kind_count, "one alternative per Kind, in its order");

// any thread (immutable). Identifies an object: kind, namespace, name.
struct ObjectRef {
  Kind kind = Kind::ingress;
  std::string ns;
  std::string name;

  std::string key() const { return ns.empty() ? name : ns + "/" + name; }
  auto operator<=>(const ObjectRef&) const = default;
};

const char* kind_name(Kind k);  // "Ingress", "EndpointSlice", ...
Kind kind_of(const AnyObject& o);
const ObjectMeta& meta_of(const AnyObject& o);
ObjectRef ref_of(const AnyObject& o);
// True when both hold equal objects (not merely the same pointer).
bool same_content(const AnyObject& a, const AnyObject& b);

// any thread (immutable)
struct DecodeResult {
  std::optional<AnyObject> object;  // set on success
  std::optional<ObjectRef> ref;     // whatever identity was readable, even on failure
  std::string error;                // set on failure, e.g. "spec.rules[0].host: expected a string"
  bool unknown_kind = false;        // apiVersion/kind we do not use: not an error
};

// Decodes one object by its apiVersion and kind. Never throws.
DecodeResult decode_object(std::shared_ptr<const Value> object);

}  // namespace sluice::k8s
