// The controller's cache of Kubernetes objects, keyed by kind and
// "namespace/name". Every source writes here; the translator reads here.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "common/k8s/object.h"

namespace sluice::controller {

// controller-confined. Values are shared_ptr<const T> and never mutated;
// replacing an object swaps the pointer. Maps are ordered so iteration is
// deterministic (the translator relies on it).
class ObjectStore {
 public:
  template <typename T>
  using Map = std::map<std::string, std::shared_ptr<const T>, std::less<>>;

  // Called after each upsert/erase that changed the store's content.
  void set_on_change(std::function<void()> hook) { on_change_ = std::move(hook); }

  // Inserts or replaces; false (and no hook call) when an equal object is there.
  bool upsert(const k8s::AnyObject& object);
  // False when there was nothing to erase.
  bool erase(const k8s::ObjectRef& ref);

  // All objects of one kind, by key.
  template <typename T>
  const Map<T>& all() const {
    return std::get<Map<T>>(maps_);
  }
  template <typename T>
  std::shared_ptr<const T> find(std::string_view ns, std::string_view name) const;

  std::size_t size() const;
  // How many upserts and erases changed objects of `kind` so far: a cheap
  // "has it changed since" for caches derived from part of the store.
  std::uint64_t changes(k8s::Kind kind) const { return changes_[static_cast<std::size_t>(kind)]; }

 private:
  std::tuple<Map<k8s::Ingress>, Map<k8s::IngressClass>, Map<k8s::Service>,
             Map<k8s::EndpointSlice>, Map<k8s::Secret>, Map<k8s::ConfigMap>>
      maps_;
  std::function<void()> on_change_;
  std::array<std::uint64_t, k8s::kind_count> changes_{};  // by k8s::Kind, in the maps' order
};

template <typename T>
std::shared_ptr<const T> ObjectStore::find(std::string_view ns, std::string_view name) const {
  const auto& map = all<T>();
  std::string key = ns.empty() ? std::string(name) : std::string(ns) + "/" + std::string(name);
  auto it = map.find(key);
  return it == map.end() ? nullptr : it->second;
}

}  // namespace sluice::controller
