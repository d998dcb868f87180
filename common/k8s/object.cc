// Dispatch by apiVersion/kind to the per-kind decoders; see object.h.
#include "common/k8s/object.h"

#include <exception>

namespace sluice::k8s {
namespace {

struct KindInfo {
  Kind kind;
  const char* api_version;
  const char* name;
  bool namespaced;
};

constexpr KindInfo kinds[] = {
    {Kind::ingress, "networking.k8s.io/v1", "Ingress", true},
    {Kind::ingress_class, "networking.k8s.io/v1", "IngressClass", false},
    {Kind::service, "v1", "Service", true},
    {Kind::endpoint_slice, "discovery.k8s.io/v1", "EndpointSlice", true},
    {Kind::secret, "v1", "Secret", true},
    {Kind::config_map, "v1", "ConfigMap", true},
};

const KindInfo* find_kind(std::string_view api_version, std::string_view kind) {
  for (const auto& k : kinds)
    if (api_version == k.api_version && kind == k.name) return &k;
  return nullptr;
}

AnyObject decode_kind(Kind kind, const Field& f) {
  switch (kind) {
    case Kind::ingress: return std::make_shared<const Ingress>(decode_ingress(f));
    case Kind::ingress_class: return std::make_shared<const IngressClass>(decode_ingress_class(f));
    case Kind::service: return std::make_shared<const Service>(decode_service(f));
    case Kind::endpoint_slice:
      return std::make_shared<const EndpointSlice>(decode_endpoint_slice(f));
    case Kind::secret: return std::make_shared<const Secret>(decode_secret(f));
    case Kind::config_map: return std::make_shared<const ConfigMap>(decode_config_map(f));
  }
  throw DecodeError("unreachable kind");
}

// Best effort, for the caller's log line and to keep an older good version.
std::optional<ObjectRef> readable_ref(const KindInfo& info, const Field& object) {
  try {
    return ObjectRef{info.kind, decode_meta(object["metadata"], info.namespaced).ns,
                     object["metadata"]["name"].string()};
  } catch (const DecodeError&) {
    return std::nullopt;
  }
}

}  // namespace

const char* kind_name(Kind k) { return kinds[static_cast<std::size_t>(k)].name; }

Kind kind_of(const AnyObject& o) { return static_cast<Kind>(o.index()); }

const ObjectMeta& meta_of(const AnyObject& o) {
  return std::visit([](const auto& p) -> const ObjectMeta& { return p->meta; }, o);
}

ObjectRef ref_of(const AnyObject& o) {
  const ObjectMeta& m = meta_of(o);
  return {kind_of(o), m.ns, m.name};
}

bool same_content(const AnyObject& a, const AnyObject& b) {
  if (a.index() != b.index()) return false;
  return std::visit(
      [&b](const auto& pa) {
        const auto& pb = std::get<std::decay_t<decltype(pa)>>(b);
        return pa == pb || *pa == *pb;
      },
      a);
}

DecodeResult decode_object(std::shared_ptr<const Value> value) {
  DecodeResult r;
  Field object(std::move(value), "");
  try {
    const std::string api_version = object["apiVersion"].string_or("");
    const std::string kind = object["kind"].string_or("");
    const KindInfo* info = find_kind(api_version, kind);
    if (!info) {
      r.unknown_kind = true;
      r.error = "unsupported kind \"" + kind + "\" (apiVersion \"" + api_version + "\")";
      return r;
    }
    r.ref = readable_ref(*info, object);
    r.object = decode_kind(info->kind, object);
  } catch (const DecodeError& e) {
    r.error = e.what();
  } catch (const std::exception& e) {  // an adapter's own failure: still only this object
    r.error = std::string("cannot decode: ") + e.what();
  }
  return r;
}

}  // namespace sluice::k8s
