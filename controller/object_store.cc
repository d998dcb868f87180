// Upsert/erase with change detection; see object_store.h.
#include "controller/object_store.h"

namespace sluice::controller {
namespace {

// Runs `f` on the map for `kind`; Kind's order matches the tuple's.
template <typename Maps, typename F>
decltype(auto) with_map(Maps& maps, k8s::Kind kind, F&& f) {
  switch (kind) {
    case k8s::Kind::ingress: return f(std::get<0>(maps));
    case k8s::Kind::ingress_class: return f(std::get<1>(maps));
    case k8s::Kind::service: return f(std::get<2>(maps));
    case k8s::Kind::endpoint_slice: return f(std::get<3>(maps));
    case k8s::Kind::secret: return f(std::get<4>(maps));
    case k8s::Kind::config_map: return f(std::get<5>(maps));
  }
  return f(std::get<0>(maps));
}

}  // namespace

bool ObjectStore::upsert(const k8s::AnyObject& object) {
  bool changed = std::visit(
      [this](const auto& ptr) {
        using T = typename std::decay_t<decltype(ptr)>::element_type;
        auto& map = std::get<Map<T>>(maps_);
        auto [it, inserted] = map.try_emplace(ptr->meta.key(), ptr);
        if (inserted) return true;
        if (it->second == ptr || *it->second == *ptr) return false;
        it->second = ptr;
        return true;
      },
      object);
  if (changed) ++changes_[static_cast<std::size_t>(k8s::kind_of(object))];
  if (changed && on_change_) on_change_();
  return changed;
}

bool ObjectStore::erase(const k8s::ObjectRef& ref) {
  bool changed = with_map(maps_, ref.kind, [&ref](auto& map) {
    auto it = map.find(ref.key());
    if (it == map.end()) return false;
    map.erase(it);
    return true;
  });
  if (changed) ++changes_[static_cast<std::size_t>(ref.kind)];
  if (changed && on_change_) on_change_();
  return changed;
}

std::size_t ObjectStore::size() const {
  return std::apply([](const auto&... maps) { return (maps.size() + ...); }, maps_);
}

}  // namespace sluice::controller
