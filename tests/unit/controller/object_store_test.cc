// ObjectStore: keys, upsert/erase and the change hook.
#include <catch2/catch.hpp>

#include "tests/unit/controller/fixture.h"

using namespace sluice;
using namespace sluice::controller;

namespace {

k8s::AnyObject service(const std::string& ns, const std::string& name, int port) {
  k8s::Service s;
  s.meta.ns = ns;
  s.meta.name = name;
  s.ports.push_back({.name = "", .port = port});
  return std::make_shared<const k8s::Service>(std::move(s));
}

}  // namespace

TEST_CASE("the store calls its change hook only when content changes", "[store]") {
  ObjectStore store;
  int changes = 0;
  store.set_on_change([&] { ++changes; });

  CHECK(store.upsert(service("a", "web", 80)));
  CHECK_FALSE(store.upsert(service("a", "web", 80)));  // equal content, new pointer
  CHECK(store.upsert(service("a", "web", 81)));
  CHECK(store.upsert(service("b", "web", 81)));
  CHECK(changes == 3);
  CHECK(store.size() == 2);
  CHECK(store.find<k8s::Service>("a", "web")->ports[0].port == 81);
  CHECK(store.all<k8s::Service>().begin()->first == "a/web");

  CHECK(store.erase({k8s::Kind::service, "a", "web"}));
  CHECK_FALSE(store.erase({k8s::Kind::service, "a", "web"}));
  CHECK_FALSE(store.erase({k8s::Kind::ingress, "b", "web"}));  // same key, other kind
  CHECK(changes == 4);
  CHECK(store.find<k8s::Service>("a", "web") == nullptr);
}

TEST_CASE("cluster-scoped objects are keyed by name alone", "[store]") {
  ObjectStore store;
  test::load(store, test::ingress_class("sluice", "sluice.dev/ingress-controller"));
  CHECK(store.find<k8s::IngressClass>("", "sluice") != nullptr);
  CHECK(store.all<k8s::IngressClass>().begin()->first == "sluice");
}

TEST_CASE("the store counts real changes per kind", "[store]") {
  ObjectStore store;
  store.upsert(service("a", "web", 80));
  store.upsert(service("a", "web", 80));  // no change
  store.upsert(service("a", "web", 81));
  CHECK(store.changes(k8s::Kind::service) == 2);
  CHECK(store.changes(k8s::Kind::ingress) == 0);
  store.erase({k8s::Kind::service, "a", "web"});
  store.erase({k8s::Kind::service, "a", "web"});  // nothing left to erase
  CHECK(store.changes(k8s::Kind::service) == 3);
  CHECK(store.changes(k8s::Kind::secret) == 0);
}
