// Reconnect backoff: doubling from 200 ms with jitter, capped, reset after a healthy minute.
#include <catch2/catch.hpp>

#include "controller/source/k8s/backoff.h"
#include "controller/source/k8s/reflector.h"
#include "controller/status/status_writer.h"

namespace sluice::controller::kube {
namespace {

using namespace std::chrono_literals;

TEST_CASE("backoff doubles with jitter up to the cap", "[informer]") {
  Backoff b(200ms, 5000ms, 60s, 42);
  auto t = Backoff::clock::now();
  const std::int64_t bases[] = {200, 400, 800, 1600, 3200, 5000, 5000, 5000};
  for (std::int64_t base : bases) {
    auto d = b.next(t).count();
    INFO(base << " -> " << d);
    CHECK(d >= base * 8 / 10);
    CHECK(d <= std::min<std::int64_t>(base * 12 / 10, 5000));
  }
}

TEST_CASE("backoff resets after a healthy period, not after a short one", "[informer]") {
  Backoff b(200ms, 5000ms, 60s, 7);
  auto t = Backoff::clock::now();
  for (int i = 0; i < 5; ++i) b.next(t);
  b.healthy(t);
  CHECK(b.next(t + 30s).count() >= 5000 * 8 / 10);  // 30 s of health is not enough
  b.healthy(t + 31s);
  CHECK(b.next(t + 92s).count() <= 240);  // a healthy minute: back to the start
}

TEST_CASE("resource paths follow the API's layout", "[informer]") {
  const auto& r = informer_resources();
  REQUIRE(r.size() == 5);
  CHECK(r[0].collection_path("") == "/apis/networking.k8s.io/v1/ingresses");
  CHECK(r[0].collection_path("shop") == "/apis/networking.k8s.io/v1/namespaces/shop/ingresses");
  CHECK(r[1].collection_path("shop") == "/apis/networking.k8s.io/v1/ingressclasses");  // cluster-scoped
  CHECK(r[2].object_path("shop", "web") == "/api/v1/namespaces/shop/services/web");
  CHECK(r[4].field_selector == "type=kubernetes.io/tls");
  CHECK(lease_resource().object_path("ns", "sluice-leader") ==
        "/apis/coordination.k8s.io/v1/namespaces/ns/leases/sluice-leader");
  CHECK(url_encode("type=kubernetes.io/tls") == "type%3Dkubernetes.io%2Ftls");
  CHECK(url_encode("a-b_c.d~") == "a-b_c.d~");
}

TEST_CASE("published addresses are IPs or host names, sorted, without duplicates", "[status]") {
  auto lb = addresses_to_load_balancer({"lb.example.com", "10.0.0.2", "10.0.0.1", "fd00::1", "10.0.0.1"});
  REQUIRE(lb.size() == 4);
  CHECK(lb[0].hostname == "lb.example.com");
  CHECK(lb[0].ip.empty());
  CHECK(lb[1].ip == "10.0.0.1");
  CHECK(lb[3].ip == "fd00::1");
}

}  // namespace
}  // namespace sluice::controller::kube
